// Which workers each MPI rank holds: contiguous blocks in worker order, the first N mod R ranks
// one worker more (⌈N/R⌉), so that a sum in rank order is a sum in worker order.
#pragma once

#include <algorithm>

#include "sim/algorithms/replica_algorithm.hpp"

namespace sgdsim {

inline WorkerRange workers_of_rank(int rank, int ranks, int workers) {
  const int base = workers / ranks;
  const int extra = workers % ranks;
  return {rank * base + std::min(rank, extra), base + (rank < extra ? 1 : 0)};
}

// The rank holding `worker`.
inline int rank_of_worker(int worker, int ranks, int workers) {
  for (int r = 0; r < ranks; ++r) {
    if (workers_of_rank(r, ranks, workers).contains(worker)) return r;
  }
  return ranks - 1;
}

}  // namespace sgdsim
