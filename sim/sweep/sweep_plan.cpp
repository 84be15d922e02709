#include "sim/sweep/sweep_plan.hpp"

#include <fmt/format.h>

#include "models/rng.hpp"

namespace sgdsim {
namespace {

// The values of point `index`: mixed-radix digits, the last axis fastest.
std::vector<std::size_t> digits_of(std::size_t index, const std::vector<SweepAxis>& axes) {
  std::vector<std::size_t> digits(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {
    digits[a] = index % axes[a].values.size();
    index /= axes[a].values.size();
  }
  return digits;
}

std::string describe(const std::vector<SweepAxis>& axes, const std::vector<std::string>& values,
                     int replicate) {
  std::string text;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    text += fmt::format("{}{}={}", text.empty() ? "" : ", ", axes[a].key, values[a]);
  }
  return fmt::format("{}{}replicate {}", text, text.empty() ? "" : ", ", replicate);
}

}  // namespace

SweepPlan plan_sweep(const std::string& path, const std::vector<std::string>& overrides,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
  return plan_sweep(
      [&path](const std::vector<std::string>& run_overrides) {
        return load_scenario_file(path, run_overrides);
      },
      overrides, progress);
}

SweepPlan plan_sweep(const ScenarioLoader& load, const std::vector<std::string>& overrides,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
  SweepPlan plan;
  plan.spec = load(overrides).sweep;
  plan.points = 1;
  for (const SweepAxis& axis : plan.spec.axes) plan.points *= axis.values.size();

  std::vector<ConfigProblem> problems;
  for (std::size_t point = 0; point < plan.points; ++point) {
    const auto digits = digits_of(point, plan.spec.axes);
    std::vector<std::string> values, point_overrides = overrides;
    for (std::size_t a = 0; a < plan.spec.axes.size(); ++a) {
      const SweepAxis& axis = plan.spec.axes[a];
      values.push_back(axis.values[digits[a]]);
      for (const std::string& assignment : axis.assignments[digits[a]]) {
        point_overrides.push_back(assignment);
      }
    }
    point_overrides.push_back("output.trace=false");  // one trace per run of a sweep is too much
    for (int r = 0; r < plan.spec.replicates; ++r) {
      SweepRun run;
      run.id = fmt::format("p{:04}_r{}", point, r);
      run.point = point;
      run.replicate = r;
      run.values = values;
      run.overrides = point_overrides;
      try {
        run.scenario = load(run.overrides);
        if (r > 0) {
          // Scenario seeds are non-negative int64 values: keep 63 bits.
          const std::uint64_t seed = derive_seed(run.scenario.seed, "replicate", r) >> 1;
          run.overrides.push_back(fmt::format("seed={}", seed));
          run.scenario = load(run.overrides);
        }
      } catch (const ConfigError& e) {
        for (ConfigProblem problem : e.problems()) {
          problem.message = fmt::format("sweep point {} ({}): {}", point,
                                        describe(plan.spec.axes, values, r), problem.message);
          problems.push_back(std::move(problem));
        }
        break;  // its other replicates differ only in the seed
      }
      plan.runs.push_back(std::move(run));
    }
    if (progress) progress(point + 1, plan.points);
  }
  if (!problems.empty()) throw ConfigError(problems);
  return plan;
}

}  // namespace sgdsim
