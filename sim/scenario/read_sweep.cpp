// The `sweep` section: a grid of key paths, each with a list of values, and a replicate count.
#include <yaml-cpp/yaml.h>

#include <set>

#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

constexpr int kMaxReplicates = 1000;
constexpr std::size_t kMaxPoints = 100'000;

std::string flow_text(const YAML::Node& value) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << value;
  return out.c_str();
}

}  // namespace

void read_sweep(yaml::Section s, SweepSpec& sweep) {
  if (auto v = s.integer("replicates", 1, kMaxReplicates)) sweep.replicates = static_cast<int>(*v);
  if (auto grid = s.section("grid")) {
    std::size_t points = 1;
    for (const auto& entry : grid->node()) {
      const std::string key = entry.first.as<std::string>();
      grid->has(key.c_str());  // every key of the grid is a key of this section
      const YAML::Node values = entry.second;
      if (key == "sweep" || key.rfind("sweep.", 0) == 0) {
        grid->error(key.c_str(), "a sweep cannot sweep its own section");
        continue;
      }
      if (!values.IsSequence() || values.size() == 0) {
        grid->error(key.c_str(), "expected a non-empty list of values, e.g. [1, 4, 16]");
        continue;
      }
      SweepAxis axis{key, {}};
      std::set<std::string> seen;
      for (const auto& value : values) {
        axis.values.push_back(flow_text(value));
        if (!seen.insert(axis.values.back()).second) {
          grid->error(key.c_str(), "value " + axis.values.back() + " is listed twice");
        }
      }
      points *= axis.values.size();
      sweep.axes.push_back(std::move(axis));
    }
    if (points > kMaxPoints) {
      s.error("grid", "more than 100000 points; split the sweep");
    }
    if (sweep.axes.empty()) s.error("grid", "empty: name at least one key with its values");
    // Keys are scenario keys, checked when each point is loaded; finish() would call them unknown.
  }
  s.finish();
}

}  // namespace sgdsim
