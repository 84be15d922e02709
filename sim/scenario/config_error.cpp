// How scenario problems are reported: every message points at the file, line and column of the key
// at fault, whether it is found while the YAML is read or once the data behind it is loaded.
#include <fmt/format.h>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

ConfigError::ConfigError(std::vector<std::string> messages)
    : std::runtime_error(messages.empty() ? "invalid scenario" : messages.front()),
      messages_(std::move(messages)) {}

std::string describe_problem(const std::string& source, const std::string& where,
                             const std::string& path, const std::string& what) {
  if (where == kSetOrigin) return fmt::format("{}: --set {}: {}", source, path, what);
  return fmt::format("{}: {}: {}", where, path, what);
}

ConfigError problem_with(const Scenario& scenario, const std::string& key,
                         const std::string& what) {
  for (std::string path = key; !path.empty();) {
    if (auto it = scenario.key_locations.find(path); it != scenario.key_locations.end()) {
      return ConfigError({describe_problem(scenario.source, it->second, key, what)});
    }
    const auto dot = path.rfind('.');
    path = dot == std::string::npos ? std::string() : path.substr(0, dot);
  }
  return ConfigError({describe_problem(scenario.source, scenario.source, key, what)});
}

}  // namespace sgdsim
