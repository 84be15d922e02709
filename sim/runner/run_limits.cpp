#include "sim/runner/run_limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/cluster/collectives.hpp"
#include "sim/output/chrome_trace.hpp"

namespace sgdsim {
namespace {

[[noreturn]] void bad_scenario(const Scenario& s, const std::string& key, const std::string& what) {
  throw problem_with(s, key, what);
}

// Rounds a run will take: exact for a fixed interval, at most one per step otherwise (async_sgd:
// one gradient per worker step).
double planned_rounds(const Scenario& s, bool async) {
  const auto steps = static_cast<double>(s.steps);
  if (async) return steps * s.workers;
  const IntervalKind kind = s.algorithm.interval_schedule.kind;
  if (kind == IntervalKind::fixed || kind == IntervalKind::theory) {
    return std::ceil(steps / static_cast<double>(s.algorithm.interval));
  }
  return steps;
}

}  // namespace

// A trace holds a span per local step and about 2N + 4 per round: refused before the run when
// even that lower estimate passes output.trace_limit (an accidental `steps: 1e9` would otherwise
// write gigabytes a minute).
void check_trace_fits(const Scenario& s, bool async) {
  if (!s.output.trace) return;
  const double spans = static_cast<double>(s.steps) * s.workers +
                       (async ? 0.0 : planned_rounds(s, async) * (2.0 * s.workers + 4));
  const double bytes = spans * ChromeTraceWriter::kMinBytesPerSpan;
  if (bytes <= s.output.trace_limit_bytes) return;
  bad_scenario(s, "output.trace",
               fmt::format("trace.json would take at least {:.3g} GB ({} workers × {} steps), more "
                           "than output.trace_limit ({:.3g} GB); set output.trace: false, or raise "
                           "output.trace_limit",
                           bytes / 1e9, s.workers, s.steps, s.output.trace_limit_bytes / 1e9));
}

// The simulated clock (int64 ns) holds 292 years. A run whose steps and rounds alone would take
// longer is refused here, at the keys that make it so, instead of overflowing mid-run.
void check_simulated_time_fits(const Scenario& s, const ComputeModel& compute,
                               double flops_per_step, Network& network, double payload,
                               bool async) {
  constexpr double kClockSeconds = 9.2e9;
  double slowest = 1.0;  // the slowest worker's step-time multiplier
  for (double speed : compute.speed_factors()) slowest = std::max(slowest, 1.0 / speed);
  slowest *= 1.0 + s.compute.stragglers.probability * (s.compute.stragglers.slowdown - 1.0);
  double step_s = s.compute.mean.seconds();
  if (s.compute.kind == "flops") {
    step_s = flops_per_step / (s.compute.flops_per_second * s.compute.efficiency);
  } else if (s.compute.kind == "empirical") {
    step_s = 0.0;  // its file's values are checked where they are read
  }
  double round_s = 0.0;
  try {
    round_s = network.allreduce_cost(all_workers(s.workers), payload)->duration.seconds();
  } catch (const std::overflow_error&) {
    round_s = std::numeric_limits<double>::infinity();
  }
  const auto steps = static_cast<double>(s.steps);
  const double rounds = planned_rounds(s, async);
  const double steps_s = steps * step_s * slowest;
  const double rounds_s = rounds * round_s;
  if (steps_s + rounds_s <= kClockSeconds) return;
  if (steps_s >= rounds_s) {
    bad_scenario(s, s.key_locations.count("compute.mean") ? "compute.mean" : "steps",
                 fmt::format("{} steps of about {:.3g} s each would simulate {:.3g} s, beyond the "
                             "simulated clock's {:.3g} s (292 years); shorten the steps or their "
                             "time",
                             s.steps, step_s * slowest, steps_s, kClockSeconds));
  }
  // An explicit payload is the likelier mistake; with payload: auto it is the bandwidth.
  const std::string key = s.network.payload_bytes ? "network.payload" : "network.bandwidth";
  bad_scenario(s, key,
               fmt::format("{:.0f} rounds of about {:.3g} s each (a {:.3g}-byte payload) would "
                           "simulate {:.3g} s, beyond the simulated clock's {:.3g} s (292 years)",
                           rounds, round_s, payload, rounds_s, kClockSeconds));
}

}  // namespace sgdsim
