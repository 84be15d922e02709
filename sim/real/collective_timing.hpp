// Times MPI_Allreduce as a real run's averaging calls it (in place, MPI_SUM, the scenario's
// float type) at a range of payload sizes, on every rank of the world at once.
#pragma once

#include <functional>
#include <vector>

#include "sim/real/mpi_world.hpp"

namespace sgdsim {

struct CollectiveTimingOptions {
  double min_bytes = 8;
  double max_bytes = 64.0 * 1024 * 1024;
  double size_factor = 2.0;        // each size is this many times the previous
  int element_bytes = 4;           // 4: float, 8: double
  double seconds_per_size = 0.25;  // time spent measuring one size (beyond the minimum batches)
  int min_batches = 5;
  int max_batches = 50;
  double batch_seconds = 0.02;  // calls in a batch: enough to last this long, at least one
  // > 0: every call alone, after the ranks have idled this long together, as a run's rounds
  // follow its local steps (links and protocols that recover while idle: token buckets, TCP
  // windows, sleeping cores); each call is then a batch of one.
  double gap_seconds = 0.0;
};

struct CollectiveSample {
  double bytes = 0.0;
  double median_s = 0.0;  // per call, the slowest rank's, median over the batches
  double min_s = 0.0;
  double max_s = 0.0;
  int batches = 0;
  int calls_per_batch = 0;
};

// Collective: every rank calls it and gets the same samples. `progress` (rank 0) sees each.
std::vector<CollectiveSample> time_allreduce(
    const MpiWorld& world, const CollectiveTimingOptions& options,
    const std::function<void(const CollectiveSample&)>& progress = {});

}  // namespace sgdsim
