#include "sim/real/collective_timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace sgdsim {
namespace {

// The slowest rank's seconds per call over `calls` calls started together (after `gap` idle).
double timed_calls(const MpiWorld& world, std::vector<char>& buffer, int count, MPI_Datatype type,
                   int calls, double gap = 0.0) {
  check_mpi(MPI_Barrier(world.comm()), "MPI_Barrier");
  if (gap > 0) std::this_thread::sleep_for(std::chrono::duration<double>(gap));
  const double start = MPI_Wtime();
  for (int i = 0; i < calls; ++i) {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, buffer.data(), count, type, MPI_SUM, world.comm()),
              "MPI_Allreduce");
  }
  double per_call = (MPI_Wtime() - start) / calls;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &per_call, 1, MPI_DOUBLE, MPI_MAX, world.comm()),
            "MPI_Allreduce");
  return per_call;
}

}  // namespace

std::vector<CollectiveSample> time_allreduce(
    const MpiWorld& world, const CollectiveTimingOptions& options,
    const std::function<void(const CollectiveSample&)>& progress) {
  const MPI_Datatype type = options.element_bytes == 8 ? MPI_DOUBLE : MPI_FLOAT;
  std::vector<CollectiveSample> samples;
  std::vector<char> buffer;
  double previous = 0.0;
  for (double target = options.min_bytes; target <= options.max_bytes * (1 + 1e-9);
       target *= options.size_factor) {
    const int count = std::max(1, static_cast<int>(std::llround(target / options.element_bytes)));
    const double bytes = static_cast<double>(count) * options.element_bytes;
    if (bytes <= previous) continue;
    previous = bytes;
    buffer.assign(static_cast<std::size_t>(bytes), 0);  // zeros: sums stay finite
    timed_calls(world, buffer, count, type, 1);         // connections and pages, off the clock
    const double probe = timed_calls(world, buffer, count, type, 1);
    CollectiveSample sample;
    sample.bytes = bytes;
    const double gap = options.gap_seconds;
    sample.calls_per_batch =
        gap > 0 ? 1
                : std::clamp(static_cast<int>(std::ceil(options.batch_seconds / probe)), 1, 10000);
    const double batch_s = probe * sample.calls_per_batch + gap;
    sample.batches = std::clamp(static_cast<int>(options.seconds_per_size / batch_s),
                                options.min_batches, options.max_batches);
    std::vector<double> times;
    for (int b = 0; b < sample.batches; ++b) {
      times.push_back(timed_calls(world, buffer, count, type, sample.calls_per_batch, gap));
    }
    std::sort(times.begin(), times.end());
    const std::size_t m = times.size() / 2;
    sample.median_s = times.size() % 2 ? times[m] : 0.5 * (times[m - 1] + times[m]);
    sample.min_s = times.front();
    sample.max_s = times.back();
    samples.push_back(sample);
    if (progress && world.rank() == 0) progress(sample);
  }
  return samples;
}

}  // namespace sgdsim
