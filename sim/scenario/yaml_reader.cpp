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

// The offset of the first byte of `text` that does not belong to well-formed UTF-8 (RFC 3629: no
// overlong forms, surrogates or code points above U+10FFFF), or npos. Text values end up in JSON
// (summary.json, `sgdsim validate`), which must be UTF-8.
std::size_t invalid_utf8_at(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else if (lead >= 0x80) {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= text.size()) return i;
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return std::string::npos;
}

}  // namespace

const std::string& Diagnostics::file_of(const std::string& path) const {
  for (const auto& [included, file] : included_) {
    if (path == included || path.rfind(included + ".", 0) == 0) return file;
  }
  return source_;
}

SourcePlace Diagnostics::where(const YAML::Mark& mark, const std::string& path) const {
  for (const auto& overridden : overridden_) {
    if (path == overridden || path.rfind(overridden + ".", 0) == 0) {
      return SourcePlace{source_, 0, 0, true};
    }
  }
  const std::string& file = file_of(path);
  if (mark.line < 0) return SourcePlace{file};
  return SourcePlace{file, mark.line + 1, mark.column + 1};
}

void Diagnostics::error(const YAML::Mark& mark, const std::string& path,
                        const std::string& message) {
  problems_.emplace_back(where(mark, path), path, message);
}

void Diagnostics::note_location(const YAML::Mark& mark, const std::string& path) {
  locations_[path] = where(mark, path);
}

namespace {

// Aliases make a YAML tree a graph whose expansion can be exponential ("billion laughs"), so the
// walk stops after this many nodes; a real scenario has a few hundred.
constexpr std::size_t kMaxWalkedNodes = 100'000;

void find_duplicate_keys(const YAML::Node& node, const std::string& path, std::size_t& budget,
                         std::vector<DuplicateKey>& found) {
  if (budget == 0) return;
  --budget;
  if (node.IsMap()) {
    std::map<std::string, int> first_lines;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) continue;  // reported where the mapping is read
      const std::string key = entry.first.Scalar();
      const std::string child = path.empty() ? key : path + "." + key;
      const auto [it, fresh] = first_lines.emplace(key, entry.first.Mark().line + 1);
      if (!fresh) found.push_back({entry.first.Mark(), child, it->second});
      find_duplicate_keys(entry.second, child, budget, found);
    }
  } else if (node.IsSequence()) {
    std::size_t i = 0;
    for (const auto& item : node)
      find_duplicate_keys(item, fmt::format("{}[{}]", path, i++), budget, found);
  }
}

}  // namespace

std::vector<DuplicateKey> duplicate_keys(const YAML::Node& node, const std::string& path) {
  std::vector<DuplicateKey> found;
  std::size_t budget = kMaxWalkedNodes;
  find_duplicate_keys(node, path, budget, found);
  return found;
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
  diagnostics_->note_location(child.Mark(), child_path(key));
  return child;
}

std::optional<std::string> Section::text(const char* key, bool required) {
  const YAML::Node node = lookup(key, required);
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsScalar()) {
    diagnostics_->error(node.Mark(), child_path(key), "expected a string, got " + shown(node));
    return std::nullopt;
  }
  if (const auto at = invalid_utf8_at(node.Scalar()); at != std::string::npos) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("byte {} (0x{:02X}) is not UTF-8; save the file as UTF-8",
                                    at + 1, static_cast<unsigned char>(node.Scalar()[at])));
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
    const auto seconds = node.IsScalar() ? parse_duration_seconds(node.Scalar()) : std::nullopt;
    diagnostics_->error(
        node.Mark(), child_path(key),
        seconds ? fmt::format("{} is out of range: a duration must be at most {:g} s (the "
                              "simulated clock ends at about 292 years)",
                              node.Scalar(), kMaxDurationSeconds)
                : fmt::format("expected {}, got {}", duration_units_help(), shown(node)));
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

std::optional<std::vector<Section>> Section::sections(const char* key, const char* expected) {
  const YAML::Node node = lookup(key, false);
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsSequence()) {
    diagnostics_->error(node.Mark(), child_path(key),
                        fmt::format("expected a list of {}, got {}", expected, shown(node)));
    return std::nullopt;
  }
  std::vector<Section> entries;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("{}[{}]", child_path(key), i);
    if (!node[i].IsMap()) {
      diagnostics_->error(node[i].Mark(), path,
                          fmt::format("expected a mapping {}, got {}", expected, shown(node[i])));
      continue;
    }
    diagnostics_->note_location(node[i].Mark(), path);  // for problems found once it is used
    entries.emplace_back(node[i], path, *diagnostics_);
  }
  return entries;
}

void Section::finish() {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {  // `? [a, b]`: a complex key, which no section has
      diagnostics_->error(entry.first.Mark(), path_.empty() ? "(top level)" : path_,
                          "a key must be a plain word, not a list or a mapping");
      continue;
    }
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
