// summary.json: the file that says a run is complete. Written last, to a temporary name and then
// renamed, so a crash never leaves a run that looks finished.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/data/partition.hpp"
#include "sim/cluster/topology.hpp"
#include "sim/output/output_file.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim {

// What a real run (sgdsim run --real) adds: where it ran and what its timing left out.
struct RealFacts {
  int ranks = 1;
  std::vector<std::string> hosts;  // per rank
  std::string reduction;           // allreduce | ordered
  bool emulated_compute = false;
  double measurement_s = 0.0;  // measuring x̄ for metrics: excluded from every timed figure
  double wall_s = 0.0;         // everything, measurements included
  std::vector<double> rank_elapsed_s;  // what each rank's workers' times add up to
  double emulation_late_s = 0.0;       // emulated compute: steps longer than drawn, in total
};

struct RunFacts {
  double payload_bytes = 0.0;
  double collective_seconds = 0.0;  // time of one synchronisation
  // Hierarchical local SGD: per level, the time of group 0's collective (the last level's is
  // collective_seconds); empty with one level.
  std::vector<double> level_collective_seconds;
  std::int64_t train_samples = 0;
  std::int64_t eval_train_samples = 0;  // what train_loss and grad_norm_sq average over
  std::int64_t test_samples = 0;
  std::int64_t samples_per_worker = 0;
  std::int64_t parameters = 0;
  double wall_time_s = 0.0;
  bool trace_truncated = false;  // trace.json stopped at output.trace_limit
  ResourceTable resources;       // the network's, indexed like RunResult::resource_bytes
  // Per worker, each empty where every worker's is the default (ComputeModel): the resolved speed
  // (1), steps slowed by a straggler event and steps started in a slow-down window (0).
  std::vector<double> speed_factors;
  std::vector<std::int64_t> straggler_steps;
  std::vector<std::int64_t> window_steps;
  // per worker: samples of each class in its shard (classification only; empty for regression)
  LabelHistograms label_histograms;
  std::optional<RealFacts> real;  // set for runs on MPI ranks
};

// summary.json's fields, but for two per-worker tables: `per_worker` and `links` are null
// placeholders, in their place, which write_summary fills from `result` and `facts` an entry at a
// time (10⁶ workers' entries as JSON values would take ~3 KB each, more than their replicas).
nlohmann::ordered_json summary_json(const Scenario& scenario, const RunResult& result,
                                    const RunFacts& facts);

using SummaryWrite = std::function<void(std::string_view)>;

// The whole summary.json text of `summary` (summary_json's, with any fields added since), as
// `summary.dump(indent)` would write it were the tables in it (indent < 0: compact), in parts.
void write_summary(const nlohmann::ordered_json& summary, const Scenario& scenario,
                   const RunResult& result, const RunFacts& facts, int indent,
                   const SummaryWrite& write);
std::string summary_text(const nlohmann::ordered_json& summary, const Scenario& scenario,
                         const RunResult& result, const RunFacts& facts, int indent);

}  // namespace sgdsim
