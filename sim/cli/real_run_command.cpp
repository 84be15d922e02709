#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <optional>

#include "sim/cli/run_report.hpp"
#include "sim/output/directory_lock.hpp"
#include "sim/real/mpi_world.hpp"
#include "sim/runner/run_scenario.hpp"

namespace sgdsim::cli {

// `run --real` on every rank of mpirun's job: every rank reads the scenario and builds its
// workers; rank 0 alone writes the outputs. Failures before the run are agreed on, so that every
// rank exits with the same code and a message is printed once; one during the run ends the job.
int real_run_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                     RunOptions options, RealOptions real) {
  const MpiWorld& world = MpiWorld::get();
  const bool root = world.rank() == 0;
  std::vector<std::string> errors;
  const auto attempt = [&errors](const auto& step) {
    try {
      step();
      return 0;
    } catch (const ConfigError& e) {
      errors = e.messages();
      return kExitBadInput;
    } catch (const DataError& e) {
      errors = {e.what()};
      return kExitBadInput;
    } catch (const std::exception& e) {
      errors = {e.what()};
      return kExitRuntimeError;
    }
  };
  const auto agreed = [&](int code) {
    const MpiWorld::Agreement agreement = world.agree(code);
    if (agreement.print) print_errors(errors);
    return agreement.code;
  };
  std::optional<Scenario> scenario;
  std::unique_ptr<ScenarioRun> run;
  if (const int code = agreed(attempt([&] {
        scenario.emplace(load_scenario_file(scenario_path, overrides));
        run = std::make_unique<ScenarioRun>(
            *scenario, RunSetup{options.threads, options.memory_limit_bytes, real});
      }))) {
    return code;
  }
  std::optional<DirectoryLock> lock;
  if (const int code = agreed(
          root ? attempt([&] { lock.emplace(prepare_output_directory(options.out_dir)); }) : 0)) {
    return code;
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  options.stop_requested = &g_stop_requested;
  options.progress = false;
  RunOutcome outcome;
  try {
    outcome = run_with_outputs(*run, *scenario, options, root);
  } catch (const std::exception& e) {  // the other ranks would wait for this one forever
    print_errors({fmt::format("rank {}: {}", world.rank(), e.what())});
    world.abort(kExitRuntimeError);
  }
  return report_outcome(*scenario, outcome, options, root);
}

}  // namespace sgdsim::cli
