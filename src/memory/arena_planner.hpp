#pragma once
// Offset assignment for arena buffers: a 2-D packing problem (time x address). Buffers whose
// lifetimes overlap must not overlap in address. Several greedy orderings are tried and the
// layout with the smallest peak is kept.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "memory/liveness.hpp"

namespace kiln {

// Arena offsets (and, by default, sizes reserved per buffer) are multiples of this.
constexpr int64_t kArenaAlignment = 16;

struct ArenaLayout {
  std::vector<int64_t> offsets;  // per buffer, in the order given
  int64_t arena_bytes = 0;       // end of the highest buffer, rounded up to kArenaAlignment
  std::string heuristic;         // name of the ordering that produced this layout
};

// Places buffers one at a time in the given order, each at the lowest-waste gap among the
// already placed buffers that overlap it in time (best fit), or on top of them.
ArenaLayout place_in_order(std::span<const ArenaBuffer> buffers, std::span<const int> order);

// Tries every heuristic ordering and returns the best layout.
ArenaLayout plan_arena(std::span<const ArenaBuffer> buffers);

// Throws InternalError if two buffers with overlapping lifetimes overlap in memory, or an
// offset is misaligned or exceeds the arena. Used by tests and after planning.
void check_layout(std::span<const ArenaBuffer> buffers, const ArenaLayout& layout);

int64_t align_up(int64_t value, int64_t alignment);

}  // namespace kiln
