// The tables a sweep writes: runs.csv (one row per run, its swept values and summary figures) and
// aggregate.csv (one row per point: mean and 95 % confidence half-width over its replicates).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/run/run_observer.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace sgdsim {

// What became of one run: its summary.json (null when the run failed before writing one).
struct SweepRunRecord {
  std::string status;  // ok | diverged | interrupted | error | not run
  nlohmann::json summary;
  std::string error;                // status error: the message (runs.csv's last column)
  std::vector<MetricsRow> metrics;  // a sweep in memory: the run's metrics rows
};

// The figures of summary.json that runs.csv carries, under their runs.csv names.
const std::vector<std::pair<std::string, std::string>>& run_columns();
// The figures aggregate.csv averages over replicates.
const std::vector<std::string>& aggregated_figures();

// The half-width factor of a two-sided 95 % Student-t interval with `dof` degrees of freedom.
double student_t_975(int dof);

// One field of a CSV row, quoted (RFC 4180) when it holds a comma, quote or newline.
std::string csv_field(const std::string& text);

std::string runs_csv(const SweepPlan& plan, const std::vector<SweepRunRecord>& records);
std::string aggregate_csv(const SweepPlan& plan, const std::vector<SweepRunRecord>& records);

}  // namespace sgdsim
