// libFuzzer target: the input is the text of a scenario file. Loading it may throw ConfigError and
// nothing else. A scenario that loads must survive the JSON round trip (`sgdsim validate` prints
// it, summary.json records it): the JSON loads back to a scenario whose JSON is the same. A sweep
// that loads has at most 100000 points, and a small one is planned (every point loaded) like
// `sgdsim sweep` does. A small scenario that loads is also checked as `sgdsim validate` checks it
// (data read, every pre-simulation check) and then started as `sgdsim run` starts it, stopped
// before its first event: whatever validate passes, run must not refuse (ConfigError or
// DataError) before simulating.
#include <cxxabi.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <typeinfo>

#include "models/data/dataset.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace {

namespace fs = std::filesystem;

// read_sweep's limit: a sweep with more points is a ConfigError.
constexpr std::size_t kMaxSweepPoints = 100'000;
// Sweeps with at most this many runs are planned; each run is one more load.
constexpr std::size_t kMaxPlannedRuns = 16;

// A scratch directory per process under $TMPDIR: `work/fuzz.yaml` is where the input is written
// (plan_sweep reads a file) and the source named in messages. Beside it and one level up, links
// to the shipped cluster files and to a CSV, so that `cluster: clusters/x.yaml`, `cluster:
// ../clusters/x.yaml`, `compute: {kind: empirical, path: step_times.csv}` and data paths
// train.csv and test.csv reach real files (loading checks that data files exist, never reads them).
class Workspace {
 public:
  Workspace() {
    std::string pattern = (fs::temp_directory_path() / "sgdsim_scenario_fuzz_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("scenario_fuzzer: mkdtemp");
      std::abort();
    }
    root_ = pattern;
    const fs::path source(SGDSIM_SOURCE_DIR);
    fs::create_directory(root_ / "work");
    const fs::path csv = source / "tests" / "data" / "step_times.csv";
    for (const fs::path& dir : {root_, root_ / "work"}) {
      fs::create_directory_symlink(source / "scenarios" / "clusters", dir / "clusters");
      for (const char* name : {"step_times.csv", "train.csv", "test.csv"}) {
        fs::create_symlink(csv, dir / name);
      }
    }
  }
  ~Workspace() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  std::string scenario_path() const { return (root_ / "work" / "fuzz.yaml").string(); }
  std::string out_dir() const { return (root_ / "out").string(); }

  void write_scenario(const std::string& text) const {
    std::ofstream out(scenario_path(), std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::fprintf(stderr, "scenario_fuzzer: cannot write %s\n", scenario_path().c_str());
      std::abort();
    }
  }

 private:
  fs::path root_;
};

std::unique_ptr<Workspace> workspace;

bool verbose = false;  // SGDSIM_FUZZ_VERBOSE set: print why each rejected input was rejected

[[noreturn]] void finding(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "\n==== scenario_fuzzer finding: %s\n%s\n====\n", what.c_str(),
               detail.c_str());
  std::abort();
}

std::string type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? name.get() : typeid(e).name();
}

std::string messages_of(const sgdsim::ConfigError& e) {
  std::string text;
  for (const auto& message : e.messages()) text += "  " + message + "\n";
  return text;
}

// A loaded scenario printed as JSON loads back, to the same JSON.
void check_round_trip(const sgdsim::Scenario& scenario, const std::string& source) {
  const std::string json = sgdsim::scenario_to_json(scenario).dump(2);
  sgdsim::Scenario back;
  try {
    back = sgdsim::load_scenario_text(json, source);
  } catch (const sgdsim::ConfigError& e) {
    finding("the resolved scenario does not load back", json + "\n" + messages_of(e));
  }
  const std::string again = sgdsim::scenario_to_json(back).dump(2);
  if (again != json) finding("the resolved scenario changes when loaded back", json + "\n" + again);
}

void check_sweep(const sgdsim::Scenario& scenario, const std::string& text) {
  const sgdsim::SweepSpec& sweep = scenario.sweep;
  std::size_t points = 1;
  for (const sgdsim::SweepAxis& axis : sweep.axes) {
    if (axis.values.empty() || axis.assignments.size() != axis.values.size()) {
      finding("a sweep axis without values, or values without assignments", axis.key);
    }
    if (__builtin_mul_overflow(points, axis.values.size(), &points) || points > kMaxSweepPoints) {
      finding("a sweep of more than 100000 points loaded", text);
    }
  }
  const auto replicates = static_cast<std::size_t>(sweep.replicates);
  if (points * replicates > kMaxPlannedRuns) return;
  workspace->write_scenario(text);
  sgdsim::SweepPlan plan;
  try {
    plan = sgdsim::plan_sweep(workspace->scenario_path(), {});
  } catch (const sgdsim::ConfigError&) {
    return;  // a point may be invalid
  }
  if (plan.points != points || plan.runs.size() != points * replicates) {
    finding("the sweep plan has the wrong number of runs", text);
  }
  for (const sgdsim::SweepRun& run : plan.runs) check_round_trip(run.scenario, run.scenario.source);
}

// Small enough to read its data and build its replicas for every input.
bool small(const sgdsim::Scenario& s) {
  return s.workers <= 16 && s.steps <= 100'000 && s.data.kind == "synthetic" &&
         s.data.synthetic.samples <= 5'000 && s.data.synthetic.features <= 64 &&
         s.data.synthetic.classes <= 16;
}

// `validate` passing and `run` refusing before it simulates would be two validations that
// disagree: the run below is stopped before its first event.
void check_validate_matches_run(const sgdsim::Scenario& scenario) {
  sgdsim::RunOptions options;
  options.check_only = true;
  options.quiet = true;
  try {
    (void)sgdsim::run_scenario(scenario, options);
  } catch (const sgdsim::ConfigError&) {
    return;  // validate refuses it: run must too, which the same code path guarantees
  } catch (const sgdsim::DataError&) {
    return;
  }
  static const std::atomic<bool> stop{true};
  options.check_only = false;
  options.out_dir = workspace->out_dir();
  options.stop_requested = &stop;
  try {
    (void)sgdsim::run_scenario(scenario, options);
  } catch (const sgdsim::ConfigError& e) {
    finding("validate passed what run refused", messages_of(e));
  } catch (const sgdsim::DataError& e) {
    finding("validate passed data that run refused", e.what());
  }
}

void check_scenario(const std::string& text) {
  const std::string source = workspace->scenario_path();
  const sgdsim::Scenario scenario = sgdsim::load_scenario_text(text, source);
  check_round_trip(scenario, source);
  if (scenario.sweep.enabled()) check_sweep(scenario, text);
  if (small(scenario)) check_validate_matches_run(scenario);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  verbose = std::getenv("SGDSIM_FUZZ_VERBOSE") != nullptr;
  workspace = std::make_unique<Workspace>();
  std::atexit([] { workspace.reset(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    check_scenario(text);
  } catch (const sgdsim::ConfigError& e) {
    // The documented answer to bad input.
    if (verbose) std::fprintf(stderr, "ConfigError:\n%s", messages_of(e).c_str());
  } catch (const std::exception& e) {
    finding("loading threw " + type_name(e) + " rather than ConfigError", e.what());
  }
  return 0;
}
