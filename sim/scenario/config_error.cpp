// How scenario problems are reported: every message points at the file, line and column of the key
// at fault, whether it is found while the YAML is read or once the data behind it is loaded.
#include <fmt/format.h>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

namespace {

std::vector<std::string> messages_of(const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> messages;
  for (const ConfigProblem& problem : problems) messages.push_back(problem.message);
  return messages;
}

std::vector<ConfigProblem> problems_of(const std::vector<std::string>& messages) {
  std::vector<ConfigProblem> problems;
  for (const std::string& message : messages) problems.emplace_back(message);
  return problems;
}

}  // namespace

ConfigProblem::ConfigProblem(SourcePlace where, std::string key_path, std::string problem)
    : place(std::move(where)), key(std::move(key_path)), what(std::move(problem)) {
  if (place.set) {
    message = fmt::format("{}: --set {}: {}", place.file, key, what);
  } else if (place.line > 0) {
    message = fmt::format("{}:{}:{}: {}: {}", place.file, place.line, place.column, key, what);
  } else {
    message = fmt::format("{}: {}: {}", place.file, key, what);
  }
}

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : std::runtime_error(problems.empty() ? "invalid scenario" : problems.front().message),
      problems_(std::move(problems)),
      messages_(messages_of(problems_)) {}

ConfigError::ConfigError(const std::vector<std::string>& messages)
    : ConfigError(problems_of(messages)) {}

ConfigError problem_with(const Scenario& scenario, const std::string& key,
                         const std::string& what) {
  for (std::string path = key; !path.empty();) {
    if (auto it = scenario.key_locations.find(path); it != scenario.key_locations.end()) {
      return ConfigError({ConfigProblem(it->second, key, what)});
    }
    const auto dot = path.rfind('.');
    path = dot == std::string::npos ? std::string() : path.substr(0, dot);
  }
  return ConfigError({ConfigProblem(SourcePlace{scenario.source}, key, what)});
}

}  // namespace sgdsim
