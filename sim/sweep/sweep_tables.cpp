#include "sim/sweep/sweep_tables.hpp"

#include <fmt/format.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>

namespace sgdsim {
namespace {

// A JSON value as a CSV cell: numbers in round-trip form, null empty.
std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get<std::string>());
  return value.dump();
}

std::string header_of(const SweepPlan& plan) {
  std::string header;
  for (const SweepAxis& axis : plan.spec.axes) {
    header += ',';  // appended piecewise: "," + string trips GCC 12's -Wrestrict
    header += csv_field(axis.key);
  }
  return header;
}

std::string values_of(const SweepRun& run) {
  std::string row;
  for (const std::string& value : run.values) {
    row += ',';
    row += csv_field(value);
  }
  return row;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& run_columns() {
  static const std::vector<std::pair<std::string, std::string>> columns = {
      {"n_workers", "workers"},
      {"t_steps", "steps"},
      {"interval_used", "interval"},
      {"lr_used", "lr"},
      {"comm_rounds", "comm_rounds"},
      {"sim_time_s", "sim_time_s"},
      {"bytes_sent", "bytes_sent"},
      {"final_step", "final_step"},
      {"final_train_loss", "final_train_loss"},
      {"final_grad_norm_sq", "final_grad_norm_sq"},
      {"final_test_loss", "final_test_loss"},
      {"final_test_accuracy", "final_test_accuracy"},
      {"average_train_loss", "average_train_loss"},
      {"average_grad_norm_sq", "average_grad_norm_sq"},
      {"compute_fraction", "compute_fraction"},
      {"communication_fraction", "communication_fraction"},
      {"idle_fraction", "idle_fraction"},
      {"wall_time_s", "wall_time_s"},
  };
  return columns;
}

const std::vector<std::string>& aggregated_figures() {
  static const std::vector<std::string> figures = {"comm_rounds",          "sim_time_s",
                                                   "bytes_sent",           "final_train_loss",
                                                   "final_grad_norm_sq",   "final_test_loss",
                                                   "final_test_accuracy",  "average_train_loss",
                                                   "average_grad_norm_sq", "communication_fraction",
                                                   "idle_fraction"};
  return figures;
}

double student_t_975(int dof) {
  const boost::math::students_t distribution(dof);
  return boost::math::quantile(boost::math::complement(distribution, 0.025));
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string runs_csv(const SweepPlan& plan, const std::vector<SweepRunRecord>& records) {
  std::string out = "run,point,replicate,seed" + header_of(plan) + ",status";
  for (const auto& [column, key] : run_columns()) out += "," + column;
  out += ",run_dir,error\n";
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const SweepRun& run = plan.runs[i];
    const SweepRunRecord& record = records[i];
    out += fmt::format("{},{},{},{}{},{}", run.id, run.point, run.replicate, run.scenario.seed,
                       values_of(run), record.status);
    for (const auto& [column, key] : run_columns()) {
      out += ",";
      if (record.summary.is_object() && record.summary.contains(key)) {
        out += cell(record.summary[key]);
      }
    }
    out += ",runs/" + run.id + "," + csv_field(record.error) + "\n";
  }
  return out;
}

std::string aggregate_csv(const SweepPlan& plan, const std::vector<SweepRunRecord>& records) {
  std::string out = "point" + header_of(plan) + ",replicates";
  for (const std::string& figure : aggregated_figures()) {
    out += fmt::format(",{0}_mean,{0}_ci95", figure);
  }
  out += "\n";
  std::size_t i = 0;
  while (i < plan.runs.size()) {
    const SweepRun& first = plan.runs[i];
    std::vector<const SweepRunRecord*> done;  // the point's runs that finished (ok)
    for (; i < plan.runs.size() && plan.runs[i].point == first.point; ++i) {
      if (records[i].status == "ok") done.push_back(&records[i]);
    }
    out += fmt::format("{}{},{}", first.point, values_of(first), done.size());
    for (const std::string& figure : aggregated_figures()) {
      std::vector<double> samples;
      for (const SweepRunRecord* record : done) {
        const auto& value = record->summary[figure];
        if (value.is_number()) samples.push_back(value.get<double>());
      }
      if (samples.empty()) {
        out += ",,";
        continue;
      }
      double mean = 0.0;
      for (double x : samples) mean += x;
      mean /= static_cast<double>(samples.size());
      out += fmt::format(",{}", mean);
      if (samples.size() < 2) {
        out += ",";
        continue;
      }
      double squares = 0.0;
      for (double x : samples) squares += (x - mean) * (x - mean);
      const auto n = static_cast<double>(samples.size());
      const double stddev = std::sqrt(squares / (n - 1));
      const int dof = static_cast<int>(samples.size()) - 1;
      out += fmt::format(",{}", student_t_975(dof) * stddev / std::sqrt(n));
    }
    out += "\n";
  }
  return out;
}

}  // namespace sgdsim
