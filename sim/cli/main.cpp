// sgdsim command line: parse arguments, call run_scenario, map failures to exit codes
// (0 ok, 1 an output could not be written, 2 bad input, 3 the run diverged, 130 interrupted).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/model_spec.hpp"
#include "models/nn/layer_spec.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cli/calibrate_command.hpp"
#include "sim/cli/run_report.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/topology.hpp"
#include "sim/runner/run_scenario.hpp"
#ifdef SGDSIM_HAVE_MPI
#include "sim/real/mpi_sweep.hpp"
#include "sim/real/mpi_world.hpp"
#endif
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "sim/scenario/units.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace {

using namespace sgdsim::cli;

std::string catalog_help() {
  std::string text = "\nBuilt-in plug-ins (the names scenario files use):\n";
  const auto section = [&text](const char* title, const auto& catalog) {
    text += fmt::format("  {}:\n", title);
    for (const auto& info : catalog)
      text += fmt::format("    {:20} {}\n", info.name, info.description);
  };
  text += "  algorithm.kind (with what each supports beyond plain rounds):\n";
  for (const auto& info : sgdsim::algorithm_catalog()) {
    std::string can;
    const auto tag = [&can](bool has, const char* name) {
      if (has) can += std::string(can.empty() ? "" : ", ") + name;
    };
    tag(info.can.overlap, "overlap");
    tag(info.can.failures, "failures");
    tag(info.can.keep_stepping, "keep-stepping");
    tag(info.can.threads, "threads");
    tag(info.can.real, "--real");
    text += fmt::format("    {:20} {}{}\n", info.name, info.description,
                        can.empty() ? "" : fmt::format(" [{}]", can));
  }
  text +=
      "  algorithm.optimizer (the workers' local step; docs/algorithms.md):\n"
      "    sgd                  torch.optim.SGD: momentum, nesterov, weight_decay (L2 in g)\n"
      "    adam                 torch.optim.Adam: beta1, beta2, epsilon, weight_decay (L2 in g)\n"
      "    adamw                torch.optim.AdamW: weight_decay decoupled (x -= lr*wd*x)\n"
      "    (any of them: clip_norm; the state at rounds: momentum_sync average | local | reset)\n"
      "  algorithm.lr_schedule.kind: constant, step (every, factor), cosine (min_lr); any of\n"
      "    them with warmup_steps\n";
  section("model.kind", sgdsim::model_catalog());
  text += "  model.layers[].type (kind sequential; docs/models.md):\n";
  for (const auto& layer : sgdsim::nn::layer_catalog()) {
    text += fmt::format("    {:20} {}\n", layer.name, layer.description);
  }
  text += fmt::format("    {:20} {}\n", "basic_block",
                      "residual conv-bn-relu-conv-bn + shortcut, then relu: channels, stride");
  section("compute.kind", sgdsim::compute_model_catalog());
  section("network.topology", sgdsim::topology_catalog());
  section("network.collective", sgdsim::collective_catalog());
  return text;
}

int run_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                sgdsim::RunOptions options) {
  const sgdsim::Scenario scenario = sgdsim::load_scenario_file(scenario_path, overrides);
  std::signal(SIGINT, sgdsim::cli::request_stop);
  std::signal(SIGTERM, sgdsim::cli::request_stop);
  options.stop_requested = &sgdsim::cli::g_stop_requested;
  const sgdsim::RunOutcome outcome = sgdsim::run_scenario(scenario, options);
  return report_outcome(scenario, outcome, options, true);
}

int sweep_command(const std::string& scenario_path, const std::string& out_dir,
                  const std::vector<std::string>& overrides, int jobs, bool quiet) {
  sgdsim::SweepOptions options;
  bool root = true;
#ifdef SGDSIM_HAVE_MPI
  // Started by mpirun: this process runs its share of the sweep; rank 0 reports.
  const sgdsim::MpiWorld* world = nullptr;
  if (sgdsim::MpiWorld::launched_by_mpirun()) {
    world = &sgdsim::MpiWorld::get();
    options.share = sgdsim::mpi_sweep_share(*world);
    root = world->rank() == 0;
  }
#endif
  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  const auto report = [&](std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (quiet || !root || now - last_report < std::chrono::seconds(2)) return;
    last_report = now;
    std::fprintf(stderr, "%s: validated %zu of %zu sweep points\n", scenario_path.c_str(), done,
                 total);
  };
  std::optional<sgdsim::SweepPlan> planned;
#ifdef SGDSIM_HAVE_MPI
  if (world != nullptr) {  // every rank plans; a bad scenario is reported once, by rank 0
    int code = 0;
    std::vector<std::string> errors;
    try {
      planned.emplace(sgdsim::plan_sweep(scenario_path, overrides, report));
    } catch (const sgdsim::ConfigError& e) {
      errors = e.messages();
      code = kExitBadInput;
    } catch (const std::exception& e) {
      errors = {e.what()};
      code = kExitRuntimeError;
    }
    const sgdsim::MpiWorld::Agreement agreement = world->agree(code);
    if (agreement.print) print_errors(errors);
    if (agreement.code != 0) return agreement.code;
  }
#endif
  if (!planned) planned.emplace(sgdsim::plan_sweep(scenario_path, overrides, report));
  const sgdsim::SweepPlan& plan = *planned;
  std::signal(SIGINT, sgdsim::cli::request_stop);
  std::signal(SIGTERM, sgdsim::cli::request_stop);
  options.out_dir = out_dir;
  options.jobs =
      jobs > 0 ? jobs : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  options.quiet = quiet || !root;
  options.stop_requested = &sgdsim::cli::g_stop_requested;
  if (!quiet && root) {
    std::fprintf(
        stderr, "%s: %zu points x %d replicates = %zu runs, %d at a time%s\n",
        scenario_path.c_str(), plan.points, plan.spec.replicates, plan.runs.size(), options.jobs,
        options.share ? fmt::format(" on each of {} MPI ranks", options.share->ranks).c_str() : "");
  }
  const sgdsim::SweepOutcome outcome = sgdsim::run_sweep(plan, options);
  if (!root) return outcome.interrupted ? kExitInterrupted : 0;
  if (!quiet || outcome.failed > 0 || outcome.interrupted) {
    std::fprintf(stderr,
                 "%zu ran, %zu already done, %zu diverged, %zu failed, %zu not run; wrote "
                 "%s/runs.csv and aggregate.csv\n",
                 outcome.ran, outcome.skipped, outcome.diverged, outcome.failed, outcome.not_run,
                 options.out_dir.c_str());
  }
  if (outcome.interrupted) return kExitInterrupted;
  return outcome.failed > 0 ? kExitBadInput : 0;
}

// `calibrate`: its options fill `options` (sizes parsed by sgdsim's own units).
CLI::App* add_calibrate_command(CLI::App& app, std::string& scenario_path,
                                std::vector<std::string>& overrides,
                                sgdsim::cli::CalibrateOptions& options) {
  CLI::App* c = app.add_subcommand(
      "calibrate",
      "Under mpirun: measure the ranks' allreduce times and the scenario's step times, fit "
      "sgdsim's models, write a cluster file for `cluster:`");
  c->add_option("scenario", scenario_path, "Scenario YAML file (model, data, batch, precision)")
      ->required();
  c->add_option("--out", options.out,
                "Cluster file to write (FILE.steps.csv and FILE.allreduce.csv beside it)")
      ->required();
  c->add_option("--set", overrides, "Override a scenario key: key.path=value (repeatable)");
  c->add_option("--steps", options.steps, "Measured local steps per worker (default 100)")
      ->check(CLI::Range(1, 1000000));
  c->add_option("--warmup", options.warmup_steps, "Steps left out first (default 10)")
      ->check(CLI::Range(0, 100000));
  const auto size_option = [c](const char* name, double& bytes, const char* help) {
    c->add_option_function<std::string>(
        name,
        [&bytes, name](const std::string& text) {
          const auto value = sgdsim::parse_size_bytes(text);
          if (!value || *value < 1) {
            throw CLI::ValidationError(name, std::string("expected ") + sgdsim::size_units_help());
          }
          bytes = *value;
        },
        help);
  };
  size_option("--min-bytes", options.min_bytes, "Smallest allreduce payload (default 8B)");
  size_option("--max-bytes", options.max_bytes, "Largest allreduce payload (default 64MiB)");
  c->add_option("--size-factor", options.size_factor,
                "Each payload this many times the previous (default 2; 1.41 samples knees "
                "twice as densely)")
      ->check(CLI::Range(1.05, 16.0));
  c->add_option("--seconds-per-size", options.seconds_per_size,
                "Time spent on each size beyond its 5 batches (default 0.25)")
      ->check(CLI::Range(0.0, 3600.0));
  c->add_option_function<std::string>(
      "--gap",
      [&options](const std::string& text) {
        const auto seconds = sgdsim::parse_duration_seconds(text);
        if (!seconds || *seconds < 0) {
          throw CLI::ValidationError("--gap",
                                     std::string("expected ") + sgdsim::duration_units_help());
        }
        options.gap_seconds = *seconds;
      },
      "Idle this long before each timed call, as a run's rounds follow its steps (e.g. 20ms; "
      "default 0: calls back to back)");
  c->add_option("--max-bands", options.max_pieces, "Most size bands in the fit (default 6)")
      ->check(CLI::Range(1, 8));
  c->add_option("--tolerance", options.tolerance,
                "The fewest bands whose largest relative residual is within this (default 0.03)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--check-limit", options.check_limit,
                "Exit 1 when the fitted model misses a measured size by more (default 0.05)")
      ->check(CLI::Range(0.0, 10.0));
  c->add_flag_callback(
      "--no-compute", [&options] { options.compute = false; }, "Skip the step times");
  c->add_flag_callback(
      "--no-network", [&options] { options.network = false; }, "Skip the allreduce times");
  c->add_flag("--quiet,-q", options.quiet, "Only errors on stderr");
  return c;
}

}  // namespace

// CLI11 says only "A subcommand is required" for `sgdsim runn`: name the word and the closest
// command instead. nullopt: argv[1] is an option or a command.
std::optional<std::string> unknown_command(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string word = argv[1];
  const std::vector<std::string> commands = {"run", "sweep", "validate", "calibrate"};
  if (std::find(commands.begin(), commands.end(), word) != commands.end()) return std::nullopt;
  std::string closest;
  std::size_t best = 3;  // suggest only within two edits
  for (const std::string& command : commands) {
    std::size_t shared = 0;  // a cheap distance: the longer length minus the common prefix
    while (shared < word.size() && shared < command.size() && word[shared] == command[shared]) {
      ++shared;
    }
    const std::size_t distance = std::max(word.size(), command.size()) - shared;
    if (distance < best) best = distance, closest = command;
  }
  return fmt::format(
      "unknown command '{}'{}; the commands are run, sweep, validate and calibrate "
      "(sgdsim --help)",
      word, closest.empty() ? "" : fmt::format(" (did you mean '{}'?)", closest));
}

int main(int argc, char** argv) {
  if (const auto message = unknown_command(argc, argv)) {
    print_errors({*message});
    return kExitBadInput;
  }
  CLI::App app{
      "sgdsim: a deterministic discrete-event simulator of distributed SGD "
      "(Parallel Restarted SGD / local SGD)"};
  app.set_version_flag("--version", std::string("sgdsim ") + SGDSIM_VERSION);
  app.footer(catalog_help());
  app.require_subcommand(1);
  // A closed stderr (`… 2>&1 | head -1`) must not end a simulation: writes then fail with EPIPE,
  // and a file size limit makes them fail with EFBIG; both are checked where it matters.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);

  std::string scenario_path, out_dir;
  std::vector<std::string> overrides;
  bool quiet = false;

  CLI::App* run = app.add_subcommand("run", "Simulate a scenario and write its results");
  run->add_option("scenario", scenario_path, "Scenario YAML file")->required();
  run->add_option("--out", out_dir, "Output directory (created)")->required();
  run->add_option("--set", overrides, "Override a scenario key: key.path=value (repeatable)");
  run->add_flag("--quiet,-q", quiet, "No progress or result line on stderr");
  int threads = 1;
  run->add_option("--threads", threads,
                  "Threads for the workers' local steps (same results as 1; default 1)")
      ->check(CLI::Range(1, 256));
  bool real = false, emulate_compute = false;
  std::string reduction = "allreduce";
  run->add_flag("--real", real,
                "Run for real on MPI ranks (start with mpirun -np R; R <= workers) instead of "
                "simulating");
  run->add_flag("--emulate-compute", emulate_compute,
                "With --real: each local step waits until it has lasted what the compute model "
                "draws (the network stays real)");
  run->add_option("--reduction", reduction,
                  "With --real: allreduce (MPI_Allreduce, default) or ordered (worker-order sums, "
                  "bit-identical to the simulation)")
      ->check(CLI::IsMember({"allreduce", "ordered"}));
  std::string memory_limit;
  run->add_option("--memory-limit", memory_limit,
                  "Refuse a run whose data and replicas need more than this (e.g. 8GiB; default: "
                  "the memory available when it starts)");

  int jobs = 0;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run every point of a scenario's sweep: section (resumable); write runs.csv");
  sweep->add_option("scenario", scenario_path, "Scenario YAML file with a sweep: section")
      ->required();
  sweep->add_option("--out", out_dir, "Output directory (created; reruns skip finished runs)")
      ->required();
  sweep->add_option("--set", overrides, "Override a scenario key: key.path=value (repeatable)");
  sweep->add_option("--jobs,-j", jobs, "Runs at once (default: the machine's cores)")
      ->check(CLI::NonNegativeNumber);
  sweep->add_flag("--quiet,-q", quiet, "Only errors on stderr");

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario; print it fully resolved");
  validate->add_option("scenario", scenario_path, "Scenario YAML file")->required();
  validate->add_option("--set", overrides, "Override a scenario key: key.path=value (repeatable)");
  bool validate_real = false;
  validate->add_flag("--real", validate_real, "Also check that `run --real` can execute it");

  sgdsim::cli::CalibrateOptions calibrate_options;
  CLI::App* calibrate = add_calibrate_command(app, scenario_path, overrides, calibrate_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  try {
    if (*validate) {
      const sgdsim::Scenario scenario = sgdsim::load_scenario_file(scenario_path, overrides);
      sgdsim::RunOptions options;
      options.check_only = true;  // reads the data: the checks that need it run too
      (void)sgdsim::run_scenario(scenario, options);
      if (validate_real) sgdsim::check_real_execution(scenario);
      std::cout << sgdsim::scenario_to_json(scenario).dump(2) << '\n';
      return 0;
    }
    if (*sweep) return sweep_command(scenario_path, out_dir, overrides, jobs, quiet);
    if (*calibrate) {
#ifdef SGDSIM_HAVE_MPI
      for (int i = 0; i < argc; ++i) {
        calibrate_options.command_line += (i ? " " : "") + std::string(argv[i]);
      }
      return calibrate_command(scenario_path, overrides, calibrate_options);
#else
      print_errors(
          {"calibrate needs MPI, and this sgdsim was built without it: install "
           "OpenMPI (scripts/setup does) and rebuild"});
      return kExitBadInput;
#endif
    }
    sgdsim::RunOptions options;
    options.out_dir = out_dir;
    options.quiet = quiet;
    options.threads = threads;
    if (!memory_limit.empty()) {
      const auto bytes = sgdsim::parse_size_bytes(memory_limit);
      if (!bytes || *bytes <= 0) {
        print_errors({"--memory-limit: expected " + std::string(sgdsim::size_units_help()) +
                      ", got '" + memory_limit + "'"});
        return kExitBadInput;
      }
      options.memory_limit_bytes = *bytes;
    }
    if ((emulate_compute || reduction != "allreduce") && !real) {
      print_errors({"--emulate-compute and --reduction apply to --real runs only"});
      return kExitBadInput;
    }
    if (real) {
#ifdef SGDSIM_HAVE_MPI
      sgdsim::RealOptions real_options;
      real_options.emulate_compute = emulate_compute;
      real_options.reduction =
          reduction == "ordered" ? sgdsim::Reduction::ordered : sgdsim::Reduction::allreduce;
      return real_run_command(scenario_path, overrides, options, real_options);
#else
      print_errors(
          {"--real needs MPI, and this sgdsim was built without it: install OpenMPI "
           "(scripts/setup does) and rebuild"});
      return kExitBadInput;
#endif
    }
    return run_command(scenario_path, overrides, options);
  } catch (const sgdsim::ConfigError& e) {
    print_errors(e.messages());
    return kExitBadInput;
  } catch (const sgdsim::DataError& e) {
    print_errors({e.what()});
    return kExitBadInput;
  } catch (const std::exception& e) {
    print_errors({e.what()});
    return kExitRuntimeError;
  }
}
