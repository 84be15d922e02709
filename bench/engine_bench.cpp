// Event throughput of the bare engine with a steady queue of pending events (no SGD math).
#include <benchmark/benchmark.h>

#include "models/rng.hpp"
#include "sim/engine/engine.hpp"

namespace {

void BM_EngineSteadyQueue(benchmark::State& state) {
  const auto pending = static_cast<int>(state.range(0));
  constexpr std::int64_t kEventsPerRun = 1 << 20;
  for (auto _ : state) {
    sgdsim::Engine engine;
    sgdsim::Rng rng(1);
    std::int64_t remaining = kEventsPerRun;
    // Each event schedules its successor at a random later time, keeping `pending` in flight.
    std::function<void()> reschedule = [&] {
      if (--remaining > 0) {
        engine.schedule_after(sgdsim::SimTime::from_ns(1 + rng.uniform_index(1000)), reschedule);
      }
    };
    for (int i = 0; i < pending; ++i) {
      engine.schedule_at(sgdsim::SimTime::from_ns(rng.uniform_index(1000)), reschedule);
    }
    engine.run();
    benchmark::DoNotOptimize(engine.events_processed());
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerRun);
}
BENCHMARK(BM_EngineSteadyQueue)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
