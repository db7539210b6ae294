#pragma once
// Liveness analysis over the schedule (the node order): which run-time tensors share storage
// (in-place aliasing) and during which steps each shared buffer must hold its bytes.
//
// Regions: graph inputs and outputs live in caller-owned buffers ("io"), constants in read-only
// memory ("flash"), every other run-time tensor in the arena. Only arena tensors are grouped into
// buffers here:
//  - a View op's output (Reshape, Flatten, Identity...) is the same bytes as its input 0, so both
//    join one buffer whose lifetime is the union of theirs;
//  - an Elementwise op's output 0 takes over the buffer of an input with the same element count
//    and element size when that buffer's last use is this very node;
//  - a plane-wise op (depthwise convolution, pooling: output plane k of the N*C planes reads only
//    input plane k, and its kernel finishes plane k before it starts plane k+1) may write its
//    output over its input when that input dies there, "with a lag": the output buffer starts
//    a fixed number of bytes below the input buffer, so output plane k only ever overwrites
//    input planes < k, which are no longer read. The two buffers are tied (ArenaBuffer::tied_to)
//    instead of kept disjoint.
// A view whose input or output is a graph input/output is not aliased: the io buffer belongs to
// the caller (inputs are read-only), so the view's kernel copies instead.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

// Whether the node runs at all: a node whose outputs were all folded into constants is skipped
// by the interpreter and the code generator alike.
bool is_runtime_node(const Node& node, const Graph& graph);

enum class TensorRegion { Arena, IO, Flash };
// Flash for constants, IO for graph inputs/outputs, Arena otherwise.
TensorRegion region_of(const std::string& tensor_name, const Graph& graph);

// region_of() for many tensors: the graph's inputs and outputs are looked up in a hash set
// instead of scanned per call (graphs with thousands of outputs). The graph must outlive it and
// keep its inputs and outputs.
class TensorRegions {
 public:
  explicit TensorRegions(const Graph& graph);
  TensorRegion of(const std::string& tensor_name) const;

 private:
  const Graph& graph_;
  std::unordered_set<std::string> io_;
};

// One block of arena storage shared by one or more tensors.
struct ArenaBuffer {
  std::vector<std::string> tensors;  // members; the first is the one that allocates it
  int64_t bytes = 0;                 // largest member's byte size
  int first_step = 0;                // node index that first writes it
  int last_step = 0;                 // node index that last reads (or writes) it
  // In-place with a lag: when tied_to >= 0, this buffer's offset must be exactly the offset of
  // buffers[tied_to] plus tie_shift (a negative multiple of the arena alignment), and the two
  // may share bytes. The op that writes this buffer while reading the other one is plane-wise
  // (see above), so the overlap is safe.
  int tied_to = -1;
  int64_t tie_shift = 0;
  std::string tied_by = {};  // the plane-wise node that writes this buffer over its base
  bool overlaps(const ArenaBuffer& other) const {
    return first_step <= other.last_step && other.first_step <= last_step;
  }
};

struct Liveness {
  std::vector<ArenaBuffer> buffers;
  std::map<std::string, int> buffer_of;   // arena tensor name -> index into buffers
  int steps = 0;                          // number of nodes in the schedule
  int elementwise_in_place = 0;           // outputs written over a dying input of the same size
  std::vector<std::string> lagged_nodes;  // plane-wise nodes whose output overlaps their input
};

struct LivenessOptions {
  // Element-wise and plane-wise in-place execution. Views always alias (they are the same
  // bytes); turning this off gives the "no in-place" baseline the compile report quotes.
  bool in_place = true;
};

// Groups arena tensors into buffers and computes their lifetimes. Requires shape inference.
Liveness compute_liveness(const Graph& graph, const LivenessOptions& options = {});

// Unties every tied buffer whose step stays within the lower bound without the shared bytes: a
// tie constrains placement (the output must sit exactly its lag below the input, which can leave
// unusable gaps elsewhere), so it is kept only where it lowers the peak. Returns how many were
// dropped.
int untie_where_not_needed(Liveness& liveness);

// The smallest arena any placement can achieve for these buffers: the largest sum of bytes of
// buffers live at one step, less what tied buffers share.
int64_t liveness_lower_bound(const Liveness& liveness);

// Bytes live at each step (steps = 1 + the largest last_step): buffer sizes (rounded up to
// `alignment`, 1 = exact) summed over the buffers live at the step, minus the bytes tied pairs
// share there.
std::vector<int64_t> live_bytes_per_step(std::span<const ArenaBuffer> buffers, int64_t alignment);

// Kernels whose loop order makes the plane-wise lag safe: for n, then channel c (plane
// k = n * C + c in increasing order), every read of input plane k and every write of output plane
// k happen before any access to plane k + 1, and output plane k is computed from input plane k
// only when the node is depthwise (Conv with group == in channels == out channels) or a pool.
// See src/kernels/kiln_conv_s8.c etc. A kernel not listed here never runs with a lag; the code
// generator refuses a lagged node lowered to any other kernel.
bool kernel_processes_planes_in_order(std::string_view function);

// The lag of a plane-wise node, or nullopt if the node is not plane-wise: the smallest distance
// (rounded up to `alignment`) by which the output buffer must start below the input buffer so
// that output plane k, written while input plane k is read, never overwrites an input plane >= k.
// With P planes of in_plane input and out_plane output bytes, plane k of the output ends at
// y + (k + 1) * out_plane and plane k of the input starts at x + k * in_plane; requiring the first
// to be at most the second for every k gives
//   x - y >= out_plane + max(0, (P - 1) * (out_plane - in_plane)).
std::optional<int64_t> plane_lag(const Node& node, const Graph& graph, int64_t alignment);

}  // namespace kiln
