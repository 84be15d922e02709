// RealRun's end: every rank's times and trace spans gathered on rank 0. See real_run.hpp.
#include <algorithm>
#include <vector>

#include "sim/real/real_run.hpp"

namespace sgdsim {
namespace {

SimTime at(double seconds) {
  return SimTime::from_seconds(seconds);
}

}  // namespace

// Rank 0 gets every worker's times: per worker compute, communication and idle in ns, steps,
// rounds missed and extra steps.
void RealRun::gather_times() {
  constexpr int kFields = 6;
  std::vector<std::int64_t> mine;
  for (std::size_t k = 0; k < out_.result.workers.size(); ++k) {
    const WorkerTimes& t = out_.result.workers[k];
    const WorkerExtras& extras = out_.result.extras(k);
    mine.insert(mine.end(), {t.compute.ns(), t.communication.ns(), t.idle.ns(), t.steps,
                             extras.rounds_missed, extras.extra_steps});
  }
  const int workers = algorithm_.workers();
  std::vector<int> counts(world_.size()), offsets(world_.size());
  int offset = 0;
  std::vector<int> sizes(world_.size());
  const int my_size = static_cast<int>(mine.size());
  check_mpi(MPI_Gather(&my_size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, world_.comm()),
            "MPI_Gather");
  offset = 0;
  for (int r = 0; r < world_.size(); ++r) {
    counts[r] = sizes[r];
    offsets[r] = offset;
    offset += sizes[r];
  }
  std::vector<std::int64_t> all(world_.rank() == 0 ? static_cast<std::size_t>(offset) : 0);
  check_mpi(MPI_Gatherv(mine.data(), my_size, MPI_INT64_T, all.data(), counts.data(),
                        offsets.data(), MPI_INT64_T, 0, world_.comm()),
            "MPI_Gatherv");
  if (world_.rank() != 0) return;
  RunResult& result = out_.result;
  result.workers.assign(workers, WorkerTimes{});
  result.worker_extras.clear();
  for (int w = 0; w < workers; ++w) {
    const std::int64_t* f = all.data() + static_cast<std::size_t>(w) * kFields;
    WorkerTimes& t = result.workers[w];
    t.compute = SimTime::from_ns(f[0]);
    t.communication = SimTime::from_ns(f[1]);
    t.idle = SimTime::from_ns(f[2]);
    t.steps = f[3];
    if (f[4] != 0 || f[5] != 0) {
      WorkerExtras& extras = result.record_extras(w);
      extras.rounds_missed = f[4];
      extras.extra_steps = f[5];
    }
  }
}

// The trace's spans, gathered on rank 0 and handed to the observer in time order.
void RealRun::replay_spans() {
  std::vector<double> mine;
  for (const Span& s : spans_) {
    mine.insert(mine.end(),
                {static_cast<double>(s.worker), static_cast<double>(s.step), s.start, s.end});
  }
  const int my_size = static_cast<int>(mine.size());
  std::vector<int> sizes(world_.size()), offsets(world_.size());
  check_mpi(MPI_Gather(&my_size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, world_.comm()),
            "MPI_Gather");
  int total = 0;
  for (int r = 0; r < world_.size(); ++r) {
    offsets[r] = total;
    total += sizes[r];
  }
  std::vector<double> all(world_.rank() == 0 ? static_cast<std::size_t>(total) : 0);
  check_mpi(MPI_Gatherv(mine.data(), my_size, MPI_DOUBLE, all.data(), sizes.data(), offsets.data(),
                        MPI_DOUBLE, 0, world_.comm()),
            "MPI_Gatherv");
  if (world_.rank() != 0) return;
  std::vector<Span> spans;
  for (std::size_t i = 0; i + 3 < all.size(); i += 4) {
    spans.push_back(
        {static_cast<int>(all[i]), static_cast<std::int64_t>(all[i + 1]), all[i + 2], all[i + 3]});
  }
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span& a, const Span& b) { return a.start < b.start; });
  std::size_t next_round = 0;
  for (const Span& s : spans) {
    while (next_round < rounds_.size() && rounds_[next_round].start <= s.start) {
      const Round& round = rounds_[next_round++];
      CollectiveCost cost;
      cost.duration = at(round.duration);
      cost.bytes_sent = round.bytes_sent;
      observer_.on_collective(round.round, at(round.start), cost, {});
    }
    if (s.step > 0) {
      observer_.on_compute(s.worker, s.step, at(s.start), at(s.end));
    } else {
      observer_.on_wait(s.worker, at(s.start), at(s.end));
    }
  }
  for (; next_round < rounds_.size(); ++next_round) {
    const Round& round = rounds_[next_round];
    CollectiveCost cost;
    cost.duration = at(round.duration);
    cost.bytes_sent = round.bytes_sent;
    observer_.on_collective(round.round, at(round.start), cost, {});
  }
}

}  // namespace sgdsim
