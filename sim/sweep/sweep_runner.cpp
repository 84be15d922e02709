#include "sim/sweep/sweep_runner.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/output/directory_lock.hpp"
#include "sim/output/summary.hpp"
#include "sim/runner/input_fingerprints.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "sim/sweep/sweep_tables.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;

// The summary an earlier invocation left in `dir`, if it is complete and of the same scenario.
nlohmann::json finished_summary(const fs::path& dir, const Scenario& scenario) {
  std::ifstream in(dir / "summary.json");
  if (!in) return nullptr;
  nlohmann::json summary = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object()) return nullptr;
  const auto status = summary.value("status", std::string());
  if (status != "ok" && status != "diverged") return nullptr;
  if (summary["scenario"] != nlohmann::json(scenario_to_json(scenario))) return nullptr;
  if (summary["inputs"] != input_fingerprints(scenario)) return nullptr;  // an input file changed
  return summary;
}

std::string describe(const SweepPlan& plan, const SweepRun& run) {
  std::string text;
  for (std::size_t a = 0; a < plan.spec.axes.size(); ++a) {
    text += fmt::format("{}{}={}", text.empty() ? "" : ", ", plan.spec.axes[a].key, run.values[a]);
  }
  return text;
}

}  // namespace

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  const fs::path out(options.out_dir);
  const bool in_memory = options.out_dir.empty();
  const int rank = options.share ? options.share->rank : 0;
  const int ranks = options.share ? options.share->ranks : 1;
  std::optional<DirectoryLock> lock;
  if (rank == 0 && !in_memory) {
    try {
      fs::create_directories(out / "runs");
      lock.emplace(out.string());
    } catch (...) {
      if (options.share) options.share->all_ok(false);
      throw;
    }
  }
  if (options.share && !options.share->all_ok(true)) {
    throw std::runtime_error("process 0 could not prepare " + out.string());
  }
  std::vector<SweepRunRecord> records(plan.runs.size());
  std::vector<std::size_t> pending;
  SweepOutcome outcome;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (!in_memory) {
      records[i].summary = finished_summary(out / "runs" / plan.runs[i].id, plan.runs[i].scenario);
    }
    if (records[i].summary.is_null()) {
      records[i].status = "not run";
      pending.push_back(i);
    } else {
      records[i].status = records[i].summary["status"].get<std::string>();
      ++outcome.skipped;
    }
  }

  // Every process has scanned the directory before any writes into it.
  if (options.share) options.share->all_ok(true);
  std::vector<std::size_t> mine;  // the pending runs this process runs
  for (std::size_t k = static_cast<std::size_t>(rank); k < pending.size();
       k += static_cast<std::size_t>(ranks)) {
    mine.push_back(pending[k]);
  }

  std::mutex mutex;  // guards outcome, records[i] hand-back and stderr
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;
  const auto stop_requested = [&options] {
    return options.stop_requested != nullptr && options.stop_requested->load();
  };
  const auto worker = [&] {
    for (std::size_t k = next++; k < mine.size() && !stop_requested(); k = next++) {
      const std::size_t i = mine[k];
      const SweepRun& run = plan.runs[i];
      SweepRunRecord record;
      std::string error;
      try {
        RunOutcome result;
        if (in_memory) {
          ScenarioRun scenario_run(run.scenario, RunSetup{});
          MetricsRecorder metrics;
          result = scenario_run.run(metrics, options.stop_requested);
          record.metrics = std::move(metrics.rows);
          result.summary["inputs"] = input_fingerprints(run.scenario);
        } else {
          RunOptions run_options;
          run_options.out_dir = (out / "runs" / run.id).string();
          run_options.quiet = true;
          run_options.stop_requested = options.stop_requested;
          result = run_scenario(run.scenario, run_options);
        }
        record.status = to_string(result.result.status);
        record.summary = nlohmann::json::parse(
            summary_text(result.summary, run.scenario, result.result, result.facts, -1));
        if (result.result.status == RunStatus::stalled) error = result.result.stall_reason;
      } catch (const ConfigError& e) {
        error = e.messages().front();
      } catch (const std::exception& e) {  // DataError, an output that cannot be written
        error = e.what();
      }
      if (!error.empty()) {
        if (record.status != "stalled") record.status = "error";
        record.error = error;
      }
      const std::lock_guard lock(mutex);
      ++finished;
      if (record.status == "ok" || record.status == "diverged") ++outcome.ran;
      if (record.status == "diverged") ++outcome.diverged;
      if (record.status == "error" || record.status == "stalled") ++outcome.failed;
      if (!options.quiet || !error.empty()) {
        std::string result = record.status;
        if (record.summary.is_object() && record.summary["final_train_loss"].is_number()) {
          result += fmt::format(": simulated {:.3f} s, train loss {:.6g}",
                                record.summary["sim_time_s"].get<double>(),
                                record.summary["final_train_loss"].get<double>());
        }
        if (!error.empty()) result += ": " + error;
        std::fprintf(stderr, "%s[%zu/%zu] %s (%s) %s\n",
                     ranks > 1 ? fmt::format("rank {} ", rank).c_str() : "", finished, mine.size(),
                     run.id.c_str(), describe(plan, run).c_str(), result.c_str());
      }
      if (options.on_run_done) options.on_run_done(run, record);
      records[i] = std::move(record);
    }
  };
  {
    std::vector<std::jthread> threads;
    const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(mine.size())));
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  }
  outcome.interrupted = stop_requested();
  if (options.share) {
    options.share->gather(records, mine);
    if (rank != 0) return outcome;
    outcome.ran = outcome.diverged = outcome.failed = 0;  // the whole sweep's, from the records
    for (std::size_t i : pending) {
      const std::string& status = records[i].status;
      if (status == "ok" || status == "diverged") ++outcome.ran;
      if (status == "diverged") ++outcome.diverged;
      if (status == "error" || status == "stalled") ++outcome.failed;
    }
  }
  for (const SweepRunRecord& record : records) {
    if (record.status == "not run" || record.status == "interrupted") ++outcome.not_run;
  }
  outcome.runs_csv = runs_csv(plan, records);
  outcome.aggregate_csv = aggregate_csv(plan, records);
  if (!in_memory) {
    write_file_atomically((out / "runs.csv").string(), outcome.runs_csv);
    write_file_atomically((out / "aggregate.csv").string(), outcome.aggregate_csv);
  }
  outcome.records = std::move(records);
  return outcome;
}

}  // namespace sgdsim
