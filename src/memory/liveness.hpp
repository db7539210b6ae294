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
//    and element size when that buffer's last use is this very node.
// A view whose input or output is a graph input/output is not aliased: the io buffer belongs to
// the caller (inputs are read-only), so the view's kernel copies instead.
#include <map>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

// Whether the node runs at all: a node whose outputs were all folded into constants is skipped
// by the interpreter and the code generator alike.
bool is_runtime_node(const Node& node, const Graph& graph);

enum class TensorRegion { Arena, IO, Flash };
// Flash for constants, IO for graph inputs/outputs, Arena otherwise.
TensorRegion region_of(const std::string& tensor_name, const Graph& graph);

// One block of arena storage shared by one or more tensors.
struct ArenaBuffer {
  std::vector<std::string> tensors;  // members; the first is the one that allocates it
  int64_t bytes = 0;                 // largest member's byte size
  int first_step = 0;                // node index that first writes it
  int last_step = 0;                 // node index that last reads (or writes) it
  bool overlaps(const ArenaBuffer& other) const {
    return first_step <= other.last_step && other.first_step <= last_step;
  }
};

struct Liveness {
  std::vector<ArenaBuffer> buffers;
  std::map<std::string, int> buffer_of;  // arena tensor name -> index into buffers
  int steps = 0;                         // number of nodes in the schedule
};

// Groups arena tensors into buffers and computes their lifetimes. Requires shape inference.
Liveness compute_liveness(const Graph& graph);

// The smallest arena any placement can achieve for these buffers: the largest sum of bytes of
// buffers live at one step.
int64_t liveness_lower_bound(const Liveness& liveness);

}  // namespace kiln
