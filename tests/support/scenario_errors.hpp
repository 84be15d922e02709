// Helpers for tests of scenario errors: edit a scenario text line by line, load it, and find the
// message that names a key (checking it starts with the file and line).
#pragma once

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace sgdsim::testing {

// `text` with the line `from` replaced by `to` (which may hold several lines, or none).
inline std::string with_line(const std::string& from, const std::string& to, std::string text) {
  const auto at = text.find(from + "\n");
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size() + 1, to.empty() ? "" : to + "\n");
  return text;
}

// 1-based number of the first line of `text` equal to `line`.
inline int line_of(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  int number = 0;
  for (std::string current; std::getline(in, current);) {
    ++number;
    if (current == line) return number;
  }
  FAIL("line '" << line << "' not in the text");
  return -1;
}

inline std::string location(const std::string& text, const std::string& line) {
  return "test.yaml:" + std::to_string(line_of(text, line)) + ":";
}

// The messages of the ConfigError that loading `text` throws (fails the test when none is thrown).
inline std::vector<std::string> errors_of(const std::string& text,
                                          const std::vector<std::string>& overrides = {}) {
  try {
    (void)sgdsim::load_scenario_text(text, "test.yaml", overrides);
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == e.messages().front());
    // Every message is its problem's place, key and text (what the Python module hands on).
    for (const ConfigProblem& p : e.problems()) {
      if (p.key.empty()) continue;
      const std::string expected =
          p.place.set        ? fmt::format("{}: --set {}: {}", p.place.file, p.key, p.what)
          : p.place.line > 0 ? fmt::format("{}:{}:{}: {}: {}", p.place.file, p.place.line,
                                           p.place.column, p.key, p.what)
                             : fmt::format("{}: {}: {}", p.place.file, p.key, p.what);
      CHECK(p.message == expected);
    }
    return e.messages();
  }
  FAIL("no ConfigError for:\n" << text);
  return {};
}

// The one message containing every fragment; fails (printing them all) unless exactly one does.
inline std::string message_with(const std::vector<std::string>& messages,
                                const std::vector<std::string>& fragments) {
  std::vector<std::string> found;
  for (const auto& message : messages) {
    bool all = true;
    for (const auto& fragment : fragments) all = all && message.find(fragment) != std::string::npos;
    if (all) found.push_back(message);
  }
  std::string listing;
  for (const auto& message : messages) listing += "\n  " + message;
  INFO("messages:" << listing);
  std::string wanted;
  for (const auto& fragment : fragments) wanted += " [" + fragment + "]";
  INFO("wanted:" << wanted);
  REQUIRE(found.size() == 1);
  return found.front();
}

}  // namespace sgdsim::testing
