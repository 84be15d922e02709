#include "sim/output/summary.hpp"

#include "sim/algorithms/registry.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "models/products/instruction_set.hpp"
#include "sim/algorithms/interval_schedule.hpp"
#include "sim/scenario/scenario_json.hpp"

namespace sgdsim {
namespace {

// JSON has no NaN: a missing value is null.
nlohmann::ordered_json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

double utilisation(double bytes, double bytes_per_second, double seconds) {
  return seconds > 0 ? bytes / (bytes_per_second * seconds) : 0.0;
}

double resource_bytes(const RunResult& result, std::size_t resource) {
  return resource < result.resource_bytes.size() ? result.resource_bytes[resource] : 0.0;
}

// Totals per group of network resources (the group's bandwidth summed) and their utilisation,
// bytes / (bandwidth × sim_time); `links` lists each resource that carried anything (written
// entry by entry, link_entry).
nlohmann::ordered_json link_groups(const RunResult& result, const RunFacts& facts) {
  std::vector<std::string> group_order;
  std::map<std::string, std::pair<double, double>> groups;  // group → (bandwidth, bytes)
  for (std::size_t r = 0; r < facts.resources.size(); ++r) {
    const std::string& group = facts.resources.group(r);
    if (!groups.count(group)) group_order.push_back(group);
    auto& [bandwidth, total] = groups[group];
    bandwidth += facts.resources.bytes_per_second(r);
    total += resource_bytes(result, r);
  }
  nlohmann::ordered_json per_group = nlohmann::ordered_json::array();
  for (const std::string& group : group_order) {
    const auto& [bandwidth, total] = groups[group];
    per_group.push_back(
        {{"group", group},
         {"bandwidth_bytes_per_s", bandwidth},
         {"bytes", total},
         {"utilisation", utilisation(total, bandwidth, result.sim_time.seconds())}});
  }
  return per_group;
}

nlohmann::ordered_json link_entry(const RunResult& result, const RunFacts& facts,
                                  std::size_t resource) {
  const ResourceInfo info = facts.resources.info(resource);
  const double bytes = resource_bytes(result, resource);
  return {{"name", info.name},
          {"group", info.group},
          {"bandwidth_bytes_per_s", info.bytes_per_second},
          {"bytes", bytes},
          {"utilisation", utilisation(bytes, info.bytes_per_second, result.sim_time.seconds())}};
}

nlohmann::ordered_json worker_entry(const Scenario& scenario, const RunResult& result,
                                    const RunFacts& facts, std::size_t w) {
  const WorkerTimes& t = result.workers[w];
  const WorkerExtras& extras = result.extras(w);
  nlohmann::ordered_json entry = {{"worker", w},
                                  {"steps", t.steps},
                                  {"compute_s", t.compute.seconds()},
                                  {"communication_s", t.communication.seconds()},
                                  {"idle_s", t.idle.seconds()},
                                  {"down_s", extras.down.seconds()},
                                  {"failures", extras.failures},
                                  {"rounds_missed", extras.rounds_missed}};
  if (scenario.network.overlap) entry["stale_steps"] = extras.stale_steps;
  if (scenario.algorithm.while_waiting == WhileWaiting::local_steps) {
    entry["extra_steps"] = extras.extra_steps;
  }
  if (!algorithm_info(scenario.algorithm.kind).can.rounds) {
    entry["mean_staleness"] =
        t.steps > 0 ? static_cast<double>(extras.staleness_sum) / static_cast<double>(t.steps)
                    : 0.0;
    entry["max_staleness"] = extras.staleness_max;
  }
  entry["speed_factor"] = facts.speed_factors.empty() ? 1.0 : facts.speed_factors[w];
  entry["straggler_steps"] = facts.straggler_steps.empty() ? 0 : facts.straggler_steps[w];
  entry["slowdown_window_steps"] = facts.window_steps.empty() ? 0 : facts.window_steps[w];
  if (w < facts.label_histograms.size()) {
    const auto histogram = facts.label_histograms[w];
    entry["label_histogram"] = std::vector<std::int64_t>(histogram.begin(), histogram.end());
  }
  return entry;
}

// `value` dumped as nlohmann does when it sits `depth` levels deep in a document dumped with
// `indent` (< 0: compact): its own lines shifted right.
std::string nested_dump(const nlohmann::ordered_json& value, int indent, int depth) {
  std::string text = value.dump(indent);
  if (indent < 0) return text;
  std::string shifted(static_cast<std::size_t>(indent * depth) + 1, ' ');
  shifted[0] = '\n';
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out += shifted;
    } else {
      out += c;
    }
  }
  return out;
}

// A placeholder's array, one entry built and written at a time.
template <class Entry>
void write_array(std::size_t count, const Entry& entry, int indent, const SummaryWrite& write) {
  if (count == 0) {
    write("[]");
    return;
  }
  // Entries sit two levels deep: in the array, in the document.
  const std::string pad = indent < 0 ? "" : std::string(static_cast<std::size_t>(2 * indent), ' ');
  for (std::size_t i = 0; i < count; ++i) {
    write(i == 0 ? "[" : ",");
    if (indent >= 0) {
      write("\n");
      write(pad);
    }
    write(nested_dump(entry(i), indent, 2));
  }
  if (indent >= 0) {
    write("\n");
    write(std::string(static_cast<std::size_t>(indent), ' '));
  }
  write("]");
}

}  // namespace

nlohmann::ordered_json summary_json(const Scenario& scenario, const RunResult& result,
                                    const RunFacts& facts) {
  nlohmann::ordered_json j;
  j["sgdsim_version"] = SGDSIM_VERSION;
  // Which compiled version of the matrix products ran: bits agree across runs only for the same
  // binary, CPU and version.
  j["products"] = std::string(instruction_set_name(active_instruction_set()));
  j["name"] = scenario.name;
  j["status"] = to_string(result.status);
  // simulated: times are the simulator's; real: measured on MPI ranks (sim_time_s is elapsed).
  j["executor"] = facts.real ? "real" : "simulated";
  if (facts.real) {
    const RealFacts& real = *facts.real;
    j["real"] = {{"ranks", real.ranks},
                 {"hosts", real.hosts},
                 {"reduction", real.reduction},
                 {"emulated_compute", real.emulated_compute},
                 {"measurement_s", real.measurement_s},
                 {"wall_s", real.wall_s},
                 {"rank_elapsed_s", real.rank_elapsed_s}};
    if (real.emulated_compute) j["real"]["emulation_late_s"] = real.emulation_late_s;
  }
  if (result.status == RunStatus::stalled) j["stalled"] = result.stall_reason;
  if (result.status == RunStatus::diverged) {
    j["diverged"]["step"] = result.diverged_step;
    j["diverged"]["worker"] = result.diverged_worker >= 0
                                  ? nlohmann::ordered_json(result.diverged_worker)
                                  : nlohmann::ordered_json("averaged model");
  }
  j["workers"] = scenario.workers;
  j["steps"] = scenario.steps;
  // The I and γ the run used: "interval" is null for schedules whose interval varies.
  const IntervalKind schedule = scenario.algorithm.interval_schedule.kind;
  j["interval"] = schedule == IntervalKind::fixed || schedule == IntervalKind::theory
                      ? nlohmann::ordered_json(scenario.algorithm.interval)
                      : nlohmann::ordered_json(nullptr);
  j["interval_schedule"] = describe_interval_schedule(scenario.algorithm);
  j["lr"] = scenario.algorithm.lr;
  j["algorithm"] = algorithm_name(scenario.algorithm.kind);
  j["comm_rounds"] = result.comm_rounds;
  if (result.rounds_by_level.size() == 2 && facts.level_collective_seconds.size() == 2) {
    const AlgorithmSpec& a = scenario.algorithm;  // hierarchical local SGD
    j["rounds_by_level"] = {{{"level", "group"},
                             {"group_size", a.group_size},
                             {"interval", a.interval},
                             {"rounds", result.rounds_by_level[0]},
                             {"collective_time_s", facts.level_collective_seconds[0]}},
                            {{"level", "global"},
                             {"group_size", scenario.workers},
                             {"interval", a.global_interval},
                             {"rounds", result.rounds_by_level[1]},
                             {"collective_time_s", facts.level_collective_seconds[1]}}};
  }
  j["sim_time_s"] = result.sim_time.seconds();
  j["bytes_sent"] = result.bytes_sent;
  j["payload_bytes"] = facts.payload_bytes;
  j["collective_time_s"] = facts.collective_seconds;

  SimTime compute, communication, idle, down;
  std::int64_t failures = 0;
  for (const WorkerTimes& t : result.workers) {
    compute += t.compute;
    communication += t.communication;
    idle += t.idle;
  }
  for (const WorkerExtras& extras : result.worker_extras) {
    down += extras.down;
    failures += extras.failures;
  }
  j["compute_time_s"] = compute.seconds();
  j["communication_time_s"] = communication.seconds();
  j["idle_time_s"] = idle.seconds();
  j["down_time_s"] = down.seconds();
  j["failures"] = failures;
  // Shares of the cluster's worker-time (workers × sim_time) spent on each activity.
  const double cluster_time =
      result.sim_time.seconds() * static_cast<double>(result.workers.size());
  j["compute_fraction"] = cluster_time > 0 ? compute.seconds() / cluster_time : 0.0;
  j["communication_fraction"] = cluster_time > 0 ? communication.seconds() / cluster_time : 0.0;
  j["idle_fraction"] = cluster_time > 0 ? idle.seconds() / cluster_time : 0.0;
  j["down_fraction"] = cluster_time > 0 ? down.seconds() / cluster_time : 0.0;

  const auto& last = result.last_metrics;
  j["final_step"] = last ? last->step : 0;
  j["final_train_loss"] = last ? number_or_null(last->model.train_loss) : nullptr;
  j["final_grad_norm_sq"] = last ? number_or_null(last->model.grad_norm_sq) : nullptr;
  j["final_test_loss"] = last ? number_or_null(last->model.test_loss) : nullptr;
  j["final_test_accuracy"] = last ? number_or_null(last->model.test_accuracy) : nullptr;

  // eval.step_averages: (1/K)·Σ over the K steps t = 0 … T−1 measured (K = T unless cut short)
  const auto& averages = result.step_averages;
  const bool averaged = averages && averages->steps > 0 && result.status != RunStatus::diverged;
  const auto mean = [&](double sum) {
    return averaged ? number_or_null(sum / static_cast<double>(averages->steps))
                    : nlohmann::ordered_json(nullptr);
  };
  j["averaged_steps"] = averages ? nlohmann::ordered_json(averages->steps) : nullptr;
  j["average_train_loss"] = averages ? mean(averages->train_loss_sum) : nullptr;
  j["average_grad_norm_sq"] = averages ? mean(averages->grad_norm_sq_sum) : nullptr;

  j["parameters"] = facts.parameters;
  j["train_samples"] = facts.train_samples;
  j["eval_train_samples"] = facts.eval_train_samples;
  j["test_samples"] = facts.test_samples;
  j["samples_per_worker"] = facts.samples_per_worker;
  j["events"] = result.events;
  j["wall_time_s"] = facts.wall_time_s;
  if (scenario.output.trace) j["trace_truncated"] = facts.trace_truncated;
  j["per_worker"] = nullptr;  // placeholders: write_summary writes their entries one by one
  j["links"] = nullptr;
  j["link_groups"] = link_groups(result, facts);
  j["scenario"] = scenario_to_json(scenario);
  return j;
}

void write_summary(const nlohmann::ordered_json& summary, const Scenario& scenario,
                   const RunResult& result, const RunFacts& facts, int indent,
                   const SummaryWrite& write) {
  const std::string pad = indent < 0 ? "" : std::string(static_cast<std::size_t>(indent), ' ');
  bool first = true;
  write("{");
  for (const auto& [key, value] : summary.items()) {
    write(first ? (indent < 0 ? "" : "\n") : (indent < 0 ? "," : ",\n"));
    first = false;
    write(pad);
    write(nlohmann::ordered_json(key).dump());
    write(indent < 0 ? ":" : ": ");
    if (key == "per_worker" && value.is_null()) {
      write_array(
          result.workers.size(),
          [&](std::size_t w) { return worker_entry(scenario, result, facts, w); }, indent, write);
    } else if (key == "links" && value.is_null()) {
      std::vector<std::size_t> carried;  // the resources that carried anything
      for (std::size_t r = 0; r < facts.resources.size(); ++r) {
        if (resource_bytes(result, r) > 0) carried.push_back(r);
      }
      write_array(
          carried.size(), [&](std::size_t i) { return link_entry(result, facts, carried[i]); },
          indent, write);
    } else {
      write(nested_dump(value, indent, 1));
    }
  }
  write(first || indent < 0 ? "}" : "\n}");
}

std::string summary_text(const nlohmann::ordered_json& summary, const Scenario& scenario,
                         const RunResult& result, const RunFacts& facts, int indent) {
  std::string text;
  write_summary(summary, scenario, result, facts, indent,
                [&text](std::string_view part) { text += part; });
  return text;
}

}  // namespace sgdsim
