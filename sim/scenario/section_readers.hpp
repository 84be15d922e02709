// Readers of the scenario's sections, one file each, sharing the YAML reader. Private to
// sim/scenario/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sgdsim {

inline constexpr std::int64_t kMaxSteps = 1'000'000'000;  // also caps sizes and counts
inline constexpr std::int64_t kMaxWorkers = 1 << 20;

// `diagnostics` reports on list entries; its source is what compute.path resolves against.
void read_algorithm(yaml::Section s, AlgorithmSpec& a, int workers, std::int64_t steps);
void read_compute(yaml::Section s, ComputeSpec& c, int workers, yaml::Diagnostics& diagnostics);
// algorithm_kind: async_sgd has no collective (its workers talk to a parameter server).
void read_network(yaml::Section s, NetworkSpec& n, int workers, AlgorithmKind algorithm_kind);
void read_sweep(yaml::Section s, SweepSpec& sweep);
void read_model(yaml::Section s, ModelSpec& m);
void read_availability(yaml::Section s, AvailabilitySpec& a, int workers,
                       yaml::Diagnostics& diagnostics);

// The names of a catalog's entries, for "expected one of ..." messages.
inline std::vector<std::string> names_of(const auto& catalog) {
  std::vector<std::string> names;
  for (const auto& info : catalog) names.push_back(info.name);
  return names;
}

// A path written in a scenario is relative to the scenario file's directory.
inline std::string resolve_path(const std::string& path, const std::string& source) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  // Absolute, so that the resolved scenario `validate` prints loads from any directory.
  return std::filesystem::absolute(std::filesystem::path(source).parent_path() / path)
      .lexically_normal()
      .string();
}

}  // namespace sgdsim
