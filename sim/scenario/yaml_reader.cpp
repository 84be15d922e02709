#include "sim/scenario/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "sim/scenario/units.hpp"

namespace sgdsim::yaml {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string shown(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

template <class T>
std::optional<T> parse_number(const std::string& text) {
  T value{};
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

const std::string& Diagnostics::file_of(const std::string& path) const {
  for (const auto& [included, file] : included_) {
    if (path == included || path.rfind(included + ".", 0) == 0) return file;
  }
  return source_;
}

void Diagnostics::error(const YAML::Mark& mark, const std::string& path,
                        const std::string& message) {
  for (const auto& overridden : overridden_) {
    if (path == overridden || path.rfind(overridden + ".", 0) == 0) {
      messages_.push_back(fmt::format("{}: --set {}: {}", source_, path, message));
      return;
    }
  }
  const std::string& file = file_of(path);
  if (mark.line >= 0) {
    messages_.push_back(
        fmt::format("{}:{}:{}: {}: {}", file, mark.line + 1, mark.column + 1, path, message));
  } else {
    messages_.push_back(fmt::format("{}: {}: {}", file, path, message));
  }
}

Section::Section(YAML::Node node, std::string path, Diagnostics& diagnostics)
    : node_(std::move(node)), path_(std::move(path)), diagnostics_(&diagnostics) {}

std::string Section::child_path(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

bool Section::has(const char* key) {
  known_.insert(key);
  const YAML::Node& map = node_;
  const YAML::Node child = map[key];
  return child.IsDefined() && !child.IsNull();
}

void Section::error(const char* key, const std::string& message) {
  const YAML::Node& map = node_;
  const YAML::Node child = map[key];
  diagnostics_->error(child.IsDefined() ? child.Mark() : node_.Mark(), child_path(key), message);
}

YAML::Node Section::lookup(const char* key, bool required) {
  known_.insert(key);
  const YAML::Node& map = node_;
  YAML::Node child = map[key];
  if (!child.IsDefined() || child.IsNull()) {
    if (required) diagnostics_->error(node_.Mark(), child_path(key), "missing required key");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return child;
}

std::optional<std::string> Section::text(const char* key, bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsScalar()) {
    diagnostics_->error(node.Mark(), child_path(key), "expected a string, got " + shown(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> Section::integer(const char* key, std::int64_t min, std::int64_t max,
                                             bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  const auto value = node.IsScalar() ? parse_number<std::int64_t>(node.Scalar()) : std::nullopt;
  if (!value || *value < min || *value > max) {
    diagnostics_->error(
        node.Mark(), child_path(key),
        fmt::format("expected an integer from {} to {}, got {}", min, max, shown(node)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Section::real(const char* key, double min, double max, bool required,
                                    bool min_exclusive) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  const auto value = node.IsScalar() ? parse_number<double>(node.Scalar()) : std::nullopt;
  const bool below = value && (min_exclusive ? *value <= min : *value < min);
  if (!value || !std::isfinite(*value) || below || *value > max) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("expected a number {} {} and at most {}, got {}",
                                    min_exclusive ? "above" : "from", min, max, shown(node)));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Section::boolean(const char* key) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    diagnostics_->error(node.Mark(), child_path(key), "expected true or false, got " + shown(node));
    return std::nullopt;
  }
  return value;
}

std::optional<SimTime> Section::duration(const char* key, bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  std::optional<SimTime> value;
  if (node.IsScalar()) {
    value = node.Scalar() == "0" ? SimTime::zero() : parse_duration(node.Scalar());
  }
  if (!value) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("expected {}, got {}", duration_units_help(), shown(node)));
  }
  return value;
}

std::optional<double> Section::rate(const char* key) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  const auto value = node.IsScalar() ? parse_rate_bytes_per_second(node.Scalar()) : std::nullopt;
  if (!value || *value <= 0) {
    diagnostics_->error(
        node.Mark(), child_path(key),
        fmt::format("expected {} above zero, got {}", rate_units_help(), shown(node)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Section::size(const char* key) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  const auto value = node.IsScalar() ? parse_size_bytes(node.Scalar()) : std::nullopt;
  if (!value || *value <= 0) {
    diagnostics_->error(
        node.Mark(), child_path(key),
        fmt::format("expected {} above zero, got {}", size_units_help(), shown(node)));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Section::choice(const char* key, const std::vector<std::string>& choices,
                                           bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  if (node.IsScalar() &&
      std::find(choices.begin(), choices.end(), node.Scalar()) != choices.end()) {
    return node.Scalar();
  }
  diagnostics_->error(node.Mark(), child_path(key),
                      fmt::format("expected one of {}, got {}", join(choices), shown(node)));
  return std::nullopt;
}

std::optional<std::vector<double>> Section::reals(const char* key, double min, double max) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  std::vector<double> values;
  bool ok = node.IsSequence();
  for (std::size_t i = 0; ok && i < node.size(); ++i) {
    const auto value = node[i].IsScalar() ? parse_number<double>(node[i].Scalar()) : std::nullopt;
    ok = value && std::isfinite(*value) && *value >= min && *value <= max;
    if (ok) values.push_back(*value);
  }
  if (!ok) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("expected a list of numbers from {} to {}", min, max));
    return std::nullopt;
  }
  return values;
}

std::optional<std::vector<std::int64_t>> Section::integers(const char* key, std::int64_t min,
                                                           std::int64_t max) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  std::vector<std::int64_t> values;
  bool ok = node.IsSequence();
  for (std::size_t i = 0; ok && i < node.size(); ++i) {
    const auto value =
        node[i].IsScalar() ? parse_number<std::int64_t>(node[i].Scalar()) : std::nullopt;
    ok = value && *value >= min && *value <= max;
    if (ok) values.push_back(*value);
  }
  if (!ok) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("expected a list of integers from {} to {}", min, max));
    return std::nullopt;
  }
  return values;
}

std::optional<Section> Section::section(const char* key, bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsMap()) {
    diagnostics_->error(node.Mark(), child_path(key), "expected a mapping, got " + shown(node));
    return std::nullopt;
  }
  return Section(node, child_path(key), *diagnostics_);
}

void Section::finish() {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (known_.count(key)) continue;
    std::string suggestion;
    std::size_t best = 3;
    for (const auto& candidate : known) {
      const std::size_t distance = edit_distance(key, candidate);
      if (distance < best) {
        best = distance;
        suggestion = candidate;
      }
    }
    std::string message = fmt::format("unknown key '{}'", key);
    if (!suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", suggestion);
    message += "; known keys here: " + join(known);
    diagnostics_->error(entry.first.Mark(), child_path(key.c_str()), message);
  }
}

}  // namespace sgdsim::yaml
