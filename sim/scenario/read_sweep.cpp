// The `sweep` section: a grid of key paths, each with a list of values, and a replicate count.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

constexpr int kMaxReplicates = 1000;
constexpr std::size_t kMaxPoints = 100'000;
constexpr std::size_t kMaxValueNodes = 10'000;

std::string flow_text(const YAML::Node& value) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << value;
  return out.c_str();
}

// Whether `node` has more than `budget` nodes once its aliases are expanded, as flow_text
// expands them: aliases of aliases ("billion laughs") can stand for exponentially many.
bool larger_than(const YAML::Node& node, std::size_t& budget) {
  if (budget == 0) return true;
  --budget;
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (larger_than(item, budget)) return true;
    }
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      if (larger_than(entry.first, budget) || larger_than(entry.second, budget)) return true;
    }
  }
  return false;
}

// What a key that is not a key path is, for messages (a key may even be a mapping in YAML).
const char* shown_key(const YAML::Node& key) {
  return key.IsMap() ? "a mapping" : key.IsSequence() ? "a list" : "nothing";
}

}  // namespace

namespace {

// One axis: `key` and its list of values. Linked axes' values are maps of key paths to values.
void read_axis(yaml::Section& section, const std::string& key, const YAML::Node& values,
               bool linked, SweepSpec& sweep) {
  section.has(key.c_str());  // every key of the grid is a key of this section
  if (!values.IsSequence() || values.size() == 0) {
    section.error(key.c_str(), linked ? "expected a non-empty list of {key.path: value, ...} maps"
                                      : "expected a non-empty list of values, e.g. [1, 4, 16]");
    return;
  }
  SweepAxis axis{key, linked, {}, {}};
  std::set<std::string> seen;
  for (const auto& value : values) {
    if (std::size_t budget = kMaxValueNodes; larger_than(value, budget)) {
      section.error(key.c_str(), fmt::format("a value holds more than {} items once its aliases "
                                             "are expanded",
                                             kMaxValueNodes));
      continue;
    }
    axis.values.push_back(flow_text(value));
    if (!seen.insert(axis.values.back()).second) {
      section.error(key.c_str(), "value " + axis.values.back() + " is listed twice");
    }
    std::vector<std::string> assignments;
    if (!linked) {
      assignments.push_back(key + "=" + axis.values.back());
    } else if (!value.IsMap() || value.size() == 0) {
      section.error(key.c_str(),
                    "each value must be a map of keys set together, e.g. "
                    "{workers: 4, steps: 1024}; got " +
                        axis.values.back());
    } else {
      for (const auto& entry : value) {
        if (!entry.first.IsScalar()) {
          section.error(key.c_str(), std::string("the keys of each value must be key paths, got ") +
                                         shown_key(entry.first));
          continue;
        }
        assignments.push_back(entry.first.Scalar() + "=" + flow_text(entry.second));
      }
    }
    axis.assignments.push_back(std::move(assignments));
  }
  sweep.axes.push_back(std::move(axis));
}

}  // namespace

void read_sweep(yaml::Section s, SweepSpec& sweep) {
  if (auto v = s.integer("replicates", 1, kMaxReplicates)) sweep.replicates = static_cast<int>(*v);
  for (const char* kind : {"grid", "linked"}) {
    auto axes = s.section(kind);
    if (!axes) continue;
    for (const auto& entry : axes->node()) {
      if (!entry.first.IsScalar()) {
        s.error(kind,
                fmt::format("line {}: expected a key path (such as algorithm.interval) as the "
                            "key, got {}",
                            entry.first.Mark().line + 1, shown_key(entry.first)));
        continue;
      }
      const std::string key = entry.first.Scalar();
      if (key == "sweep" || key.rfind("sweep.", 0) == 0) {
        axes->has(key.c_str());
        axes->error(key.c_str(), "a sweep cannot sweep its own section");
        continue;
      }
      read_axis(*axes, key, entry.second, std::string(kind) == "linked", sweep);
    }
    if (axes->node().size() == 0) s.error(kind, "empty: name at least one axis");
    // Grid keys are scenario keys, checked when each point loads; finish() would call them unknown.
  }
  std::size_t points = 1;
  for (const SweepAxis& axis : sweep.axes) {
    // Saturated, so that 64 axes of 2 values do not wrap around to 0 points.
    points = std::min(kMaxPoints + 1, points * std::max<std::size_t>(1, axis.values.size()));
  }
  if (points > kMaxPoints) s.error("grid", "more than 100000 points; split the sweep");
  s.finish();
}

}  // namespace sgdsim
