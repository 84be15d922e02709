// `mpirun -np R sgdsim calibrate SCENARIO --out FILE`: measures the ranks' collective times and
// the scenario's step times on every rank at once, fits sgdsim's models to them and writes a
// cluster file (sim/calibration/cluster_file.hpp) that scenarios include with `cluster:`.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>

#include "sim/calibration/cluster_file.hpp"
#include "sim/cli/calibrate_command.hpp"
#include "sim/cli/run_report.hpp"
#include "sim/output/output_file.hpp"
#include "sim/real/collective_timing.hpp"
#include "sim/real/mpi_world.hpp"
#include "sim/runner/scenario_run.hpp"
#include "sim/scenario/units.hpp"

namespace sgdsim::cli {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Every rank's local step durations after the first `warmup`, gathered on rank 0.
class StepTimes final : public RunObserver {
 public:
  explicit StepTimes(int warmup) : warmup_(warmup) {}
  void on_compute(int /*worker*/, std::int64_t step, SimTime start, SimTime end) override {
    if (step > warmup_) seconds.push_back((end - start).seconds());
  }
  std::vector<double> seconds;

 private:
  int warmup_;
};

NetworkCalibration calibrate_network(const MpiWorld& world, const Scenario& scenario,
                                     const CalibrateOptions& options) {
  CollectiveTimingOptions timing;
  timing.min_bytes = options.min_bytes;
  timing.max_bytes = options.max_bytes;
  timing.size_factor = options.size_factor;
  timing.seconds_per_size = options.seconds_per_size;
  timing.gap_seconds = options.gap_seconds;
  timing.element_bytes = scenario.precision == Precision::float64 ? 8 : 4;
  const auto started = std::chrono::steady_clock::now();
  const auto samples = time_allreduce(world, timing, [&](const CollectiveSample& s) {
    if (options.quiet) return;
    std::fprintf(stderr, "calibrate: allreduce %10s  %12.3f us  (%d x %d calls, %.0f s so far)\n",
                 format_size(s.bytes).c_str(), s.median_s * 1e6, s.batches, s.calls_per_batch,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  });
  NetworkCalibration n;
  n.check_limit = options.check_limit;
  std::vector<TimingPoint> points;
  for (const CollectiveSample& s : samples) points.push_back({s.bytes, s.median_s});
  n.fit = fit_piecewise(points, {options.max_pieces, 3, options.tolerance});
  n.network = scenario.network;
  n.network.by_size = bands_from_fit(n.fit, n.network, world.size());
  n.check = check_prediction(n.fit, n.network, world.size());
  return n;
}

ComputeCalibration calibrate_compute(ScenarioRun& run, const Scenario& scenario,
                                     const CalibrateOptions& options) {
  StepTimes times(options.warmup_steps);
  const RunOutcome outcome = run.run(times);
  ComputeCalibration c;
  c.step_seconds = std::move(times.seconds);
  c.steps_per_worker = static_cast<int>(scenario.steps);
  c.warmup_steps = options.warmup_steps;
  std::string layers;
  for (int h : scenario.model.hidden) layers += fmt::format("{}{}", layers.empty() ? "" : ",", h);
  c.what = fmt::format("{}{} on {}, batch {}, {}", scenario.model.kind,
                       layers.empty() ? "" : " [" + layers + "]", scenario.data.kind,
                       scenario.algorithm.batch_size, to_string(scenario.precision));
  (void)outcome;
  return c;
}

std::string sibling(const std::string& out, const std::string& suffix) {
  std::filesystem::path p(out);
  return (p.parent_path() / (p.stem().string() + suffix)).string();
}

}  // namespace

int calibrate_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                      const CalibrateOptions& options) {
  const MpiWorld& world = MpiWorld::get();
  const bool root = world.rank() == 0;
  std::vector<std::string> errors;
  std::vector<std::string> compute_overrides = overrides;
  compute_overrides.push_back(fmt::format("steps={}", options.warmup_steps + options.steps));
  std::optional<Scenario> scenario;
  std::unique_ptr<ScenarioRun> run;  // the compute measurement: a real run of the scenario
  int code = 0;
  try {
    scenario.emplace(load_scenario_file(scenario_path, compute_overrides));
    if (scenario->network.topology == "two_level") {
      throw ConfigError(
          {fmt::format("{}: network.topology: calibration fits a switch or ring "
                       "of the ranks, not two_level",
                       scenario_path)});
    }
    if (options.compute) {
      run = std::make_unique<ScenarioRun>(*scenario, RunSetup{1, 0, RealOptions{}});
    }
  } catch (const ConfigError& e) {
    errors = e.messages();
    code = kExitBadInput;
  } catch (const std::exception& e) {
    errors = {e.what()};
    code = kExitBadInput;
  }
  const MpiWorld::Agreement agreement = world.agree(code);
  if (agreement.print) print_errors(errors);
  if (agreement.code != 0) return agreement.code;

  Calibration calibration;
  calibration.created_utc = utc_now();
  calibration.command = options.command_line;
  calibration.hosts = world.host_names();
  calibration.ranks = world.size();
  try {
    if (options.network) calibration.network = calibrate_network(world, *scenario, options);
    if (options.compute) {
      if (root && !options.quiet) {
        std::fprintf(stderr, "calibrate: %d local steps per worker on %d ranks\n",
                     options.warmup_steps + options.steps, world.size());
      }
      calibration.compute = calibrate_compute(*run, *scenario, options);
      if (root) calibration.compute->fit = fit_step_times(calibration.compute->step_seconds);
    }
    if (!root) return 0;
    const std::string steps_csv = sibling(options.out, ".steps.csv");
    if (calibration.compute) {
      write_file_atomically(steps_csv, step_times_csv(calibration.compute->step_seconds));
    }
    if (calibration.network) {
      write_file_atomically(sibling(options.out, ".allreduce.csv"),
                            collective_times_csv(*calibration.network));
    }
    write_file_atomically(
        options.out,
        cluster_file_text(calibration, std::filesystem::path(steps_csv).filename().string()));
  } catch (const std::exception& e) {  // the other ranks would wait for this one forever
    print_errors({fmt::format("rank {}: {}", world.rank(), e.what())});
    world.abort(kExitRuntimeError);
  }
  if (!options.quiet) {
    if (calibration.network) {
      const NetworkCalibration& n = *calibration.network;
      std::fprintf(stderr,
                   "calibrate: network: %zu band(s), R^2(log) %.5f, largest residual %.2f %% at "
                   "%s; prediction check %.2f %% (limit %.2f %%)\n",
                   n.fit.pieces.size(), n.fit.r_squared_log, 100 * n.fit.max_relative_residual,
                   format_size(n.fit.points[n.fit.worst_point].bytes).c_str(),
                   100 * n.check.max_relative_error, 100 * n.check_limit);
    }
    if (calibration.compute) {
      const StepTimeFit& f = calibration.compute->fit;
      std::fprintf(stderr,
                   "calibrate: compute: %zu steps, mean %.3f ms, cv %.3f; lognormal sigma %.4f, "
                   "KS %.3f\n",
                   f.samples, f.sample_mean_s * 1e3, f.sample_cv, f.lognormal_sigma, f.ks_distance);
    }
    std::fprintf(stderr, "calibrate: wrote %s\n", options.out.c_str());
  }
  if (calibration.network &&
      calibration.network->check.max_relative_error > calibration.network->check_limit) {
    return kExitRuntimeError;
  }
  return 0;
}

}  // namespace sgdsim::cli
