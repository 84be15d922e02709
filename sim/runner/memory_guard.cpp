#include "sim/runner/memory_guard.hpp"

#include "sim/algorithms/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace sgdsim {
namespace {

// The value of `key` (in kB) in /proc/meminfo, in bytes.
std::optional<double> meminfo_bytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kilobytes = 0;
    if (fields >> kilobytes) return kilobytes * 1024.0;
  }
  return std::nullopt;
}

// A single number in a cgroup file ("max" means no limit).
std::optional<double> cgroup_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Three significant digits in decimal units: "32.8 GB".
std::string readable_bytes(double bytes) {
  constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (bytes >= 999.5 && unit + 1 < static_cast<int>(std::size(kUnits))) {
    bytes /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.3g} {}", bytes, kUnits[unit]);
}

}  // namespace

std::vector<std::string> per_worker_model_copies(const Scenario& scenario) {
  const AlgorithmSpec& a = scenario.algorithm;
  std::vector<std::string> copies = {"parameters"};
  const AlgorithmCapabilities& can = algorithm_info(a.kind).can;
  if (!can.rounds) return {"pulled model", "gradient"};
  if (a.optimizer != InnerOptimizerKind::sgd) {
    copies.insert(copies.end(), {"first moment", "second moment"});
  } else if (a.momentum > 0.0 && can.inner_momentum) {
    copies.push_back("momentum");
  }
  if (scenario.network.overlap) copies.push_back("model in flight");
  if (a.kind == AlgorithmKind::gossip) copies.push_back("mixed model");  // the exchange's result
  return copies;
}

MemoryNeed replica_memory(const Scenario& scenario, std::int64_t params, std::size_t scalar_bytes) {
  const auto copies = per_worker_model_copies(scenario);
  std::string names;
  for (const auto& copy : copies) names += (names.empty() ? "" : ", ") + copy;
  const double bytes = static_cast<double>(scenario.workers) * static_cast<double>(copies.size()) *
                       static_cast<double>(params) * static_cast<double>(scalar_bytes);
  return {fmt::format("replicas: {} workers × {} model cop{} ({}) × {} parameters × {} B = {}",
                      scenario.workers, copies.size(), copies.size() == 1 ? "y" : "ies", names,
                      params, scalar_bytes, readable_bytes(bytes)),
          bytes};
}

std::optional<MemoryNeed> synthetic_data_memory(const Scenario& scenario,
                                                std::size_t scalar_bytes) {
  if (scenario.data.kind != "synthetic") return std::nullopt;
  const SyntheticSpec& g = scenario.data.synthetic;
  const double samples = static_cast<double>(g.samples) + static_cast<double>(g.test_samples);
  const double bytes = samples * (g.features + 1.0) * static_cast<double>(scalar_bytes);
  return MemoryNeed{fmt::format("data: {} samples × ({} features + target) × {} B = {}",
                                static_cast<std::int64_t>(samples), g.features, scalar_bytes,
                                readable_bytes(bytes)),
                    bytes};
}

std::optional<double> available_memory_bytes(std::string* source) {
  std::optional<double> available = meminfo_bytes("MemAvailable");
  if (source) *source = "MemAvailable in /proc/meminfo";
  const auto limit = cgroup_number("/sys/fs/cgroup/memory.max");
  const auto used = cgroup_number("/sys/fs/cgroup/memory.current");
  if (limit && used) {
    const double left = std::max(0.0, *limit - *used);
    if (!available || left < *available) {
      available = left;
      if (source) *source = "the cgroup's memory.max less memory.current";
    }
  }
  return available;
}

void check_memory(const Scenario& scenario, const std::string& key,
                  const std::vector<MemoryNeed>& needs, double limit, const std::string& source) {
  double total = 0.0;
  for (const MemoryNeed& need : needs) total += need.bytes;
  if (total <= limit) return;
  std::string parts;
  for (const MemoryNeed& need : needs) parts += "; " + need.what;
  throw problem_with(
      scenario, key,
      fmt::format("this run needs at least {} but only {} of memory is available ({}){}. Use "
                  "fewer workers, a smaller model or data set{}; --memory-limit sets the limit",
                  readable_bytes(total), readable_bytes(limit), source, parts,
                  scenario.precision == Precision::float64 ? ", or precision: float32" : ""));
}

}  // namespace sgdsim
