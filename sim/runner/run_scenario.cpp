#include "sim/runner/run_scenario.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "sim/output/chrome_trace.hpp"
#include "sim/output/directory_lock.hpp"
#include "sim/output/metrics_writer.hpp"
#include "sim/output/output_file.hpp"
#include "sim/output/progress.hpp"
#include "sim/output/summary.hpp"
#include "sim/runner/input_fingerprints.hpp"

namespace sgdsim {

namespace fs = std::filesystem;

RunOutcome run_scenario(const Scenario& s, const RunOptions& options) {
  ScenarioRun run(s, RunSetup{options.threads, options.memory_limit_bytes, std::nullopt});
  if (options.check_only) return {};
  // Input is known good from here on; only now does the output directory appear.
  const DirectoryLock lock = prepare_output_directory(options.out_dir);
  return run_with_outputs(run, s, options, true);
}

DirectoryLock prepare_output_directory(const std::string& out_dir) {
  const fs::path out(out_dir);
  fs::create_directories(out);
  DirectoryLock lock(out.string());
  // Outputs of an earlier run into the same directory would mix with ours; a stale summary.json
  // would even mark this run complete.
  for (const char* name : {"summary.json", "metrics.csv", "trace.json", "model.csv"}) {
    fs::remove(out / name);
  }
  return lock;
}

RunOutcome run_with_outputs(ScenarioRun& run, const Scenario& s, const RunOptions& options,
                            bool write_outputs) {
  const fs::path out(options.out_dir);
  RunOutcome outcome;
  if (!write_outputs) {
    RunObserver nothing;
    return run.run(options.observer ? *options.observer : nothing, options.stop_requested);
  }
  bool trace_truncated = false;
  {
    MetricsWriter metrics((out / "metrics.csv").string());
    ObserverList observers;
    observers.add(&metrics);
    if (options.observer) observers.add(options.observer);
    std::optional<ChromeTraceWriter> trace;
    if (s.output.trace) {
      trace.emplace((out / "trace.json").string(), s.name, s.workers, s.network.collective,
                    !s.network.overlap, s.output.trace_limit_bytes);
      observers.add(&*trace);
    }
    std::optional<ProgressReporter> progress;
    if (!options.quiet && options.progress) {
      progress.emplace(s.steps, s.workers, isatty(fileno(stderr)) != 0);
      observers.add(&*progress);
    }
    outcome = run.run(observers, options.stop_requested);
    metrics.close();
    if (trace) {
      trace->close();
      trace_truncated = trace->truncated();
    }
  }
  if (s.output.model) {
    std::ostringstream model_text;
    run.write_model(model_text);
    OutputFile model_out((out / "model.csv").string());
    model_out.write(model_text.str());
    model_out.close();
  }
  if (trace_truncated) {
    outcome.facts.trace_truncated = true;
    outcome.summary = summary_json(s, outcome.result, outcome.facts);
  }
  outcome.summary["inputs"] = input_fingerprints(s);
  write_file_atomically((out / "summary.json").string(), [&](OutputFile& file) {
    write_summary(outcome.summary, s, outcome.result, outcome.facts, 2,
                  [&file](std::string_view part) { file.write(part); });
    file.write("\n");
  });
  return outcome;
}

}  // namespace sgdsim
