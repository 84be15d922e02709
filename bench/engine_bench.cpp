// Event throughput of the bare engine with a steady queue of pending events (no SGD math).
#include <benchmark/benchmark.h>

#include <array>
#include <functional>
#include <queue>
#include <vector>

#include "models/rng.hpp"
#include "sim/engine/engine.hpp"

namespace {

// Each event schedules its successor at a random later time, keeping `pending` in flight. The
// events capture `Extra` bytes besides the context pointer: 0 is the smallest callable, 24 the
// size of SynchronousRun's step events (worker, attempt, start time).
template <std::size_t Extra>
void BM_EngineSteadyQueue(benchmark::State& state) {
  const auto pending = static_cast<int>(state.range(0));
  constexpr std::int64_t kEventsPerRun = 1 << 20;
  struct Context {
    sgdsim::Engine engine;
    sgdsim::Rng rng{1};
    std::int64_t remaining = kEventsPerRun;
    void fire() {
      if (--remaining <= 0) return;
      std::array<char, Extra + 1> payload{};
      engine.schedule_after(sgdsim::SimTime::from_ns(1 + rng.uniform_index(1000)), [this, payload] {
        benchmark::DoNotOptimize(payload);
        fire();
      });
    }
  };
  std::int64_t events = 0;
  for (auto _ : state) {
    Context context;
    for (int i = 0; i < pending; ++i) {
      context.engine.schedule_at(sgdsim::SimTime::from_ns(context.rng.uniform_index(1000)),
                                 [&context] { context.fire(); });
    }
    context.engine.run();
    events += static_cast<std::int64_t>(context.engine.events_processed());
  }
  state.SetItemsProcessed(events);
}
// 1024 pending: the queue in L1/L2; 2^21: a step and an outage pending for each of 10⁶ workers,
// out of cache.
BENCHMARK(BM_EngineSteadyQueue<0>)->Arg(1024)->Arg(1 << 21)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EngineSteadyQueue<24>)->Arg(1024)->Arg(1 << 21)->Unit(benchmark::kMillisecond);

// The same event pattern on a bare std::priority_queue of (time, sequence, id) with no callables:
// the floor the engine's ordering, time keeping and callbacks are measured against.
void BM_BarePriorityQueue(benchmark::State& state) {
  const auto pending = static_cast<int>(state.range(0));
  constexpr std::int64_t kEventsPerRun = 1 << 20;
  struct Event {
    std::int64_t time;
    std::uint64_t sequence;
    bool operator>(const Event& other) const {
      return time != other.time ? time > other.time : sequence > other.sequence;
    }
  };
  std::int64_t events = 0;
  for (auto _ : state) {
    std::priority_queue<Event, std::vector<Event>, std::greater<>> queue;
    sgdsim::Rng rng(1);
    std::uint64_t sequence = 0;
    for (int i = 0; i < pending; ++i) {
      queue.push({static_cast<std::int64_t>(rng.uniform_index(1000)), sequence++});
    }
    std::int64_t remaining = kEventsPerRun;
    std::int64_t processed = 0;
    while (!queue.empty()) {
      const Event event = queue.top();
      queue.pop();
      ++processed;
      if (--remaining > 0) {
        queue.push(
            {event.time + 1 + static_cast<std::int64_t>(rng.uniform_index(1000)), sequence++});
      }
    }
    events += processed;
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_BarePriorityQueue)->Arg(1024)->Arg(1 << 21)->Unit(benchmark::kMillisecond);

}  // namespace
