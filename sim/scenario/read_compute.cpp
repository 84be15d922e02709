// The `compute` section: how long a local step takes, and how workers differ.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "sim/cluster/compute_model.hpp"
#include "sim/scenario/input_files.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

constexpr double kMaxFactor = 1e6;

struct Parameter {
  const char* key;
  std::vector<std::string> kinds;  // the compute kinds that use it
};

// Every kind-specific key, so that a key the chosen kind ignores is reported, not dropped.
const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> table = {
      {"mean", {"constant", "normal", "lognormal", "exponential", "shifted_exponential", "gamma"}},
      {"std", {"normal"}},
      {"sigma", {"lognormal"}},
      {"minimum", {"shifted_exponential"}},
      {"shape", {"gamma"}},
      {"path", {"empirical"}},
      {"times", {"empirical"}},
      {"mode", {"empirical"}},
      {"flops_per_second", {"flops"}},
      {"efficiency", {"flops"}},
      {"jitter", {"flops"}},
  };
  return table;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void read_speed_distribution(yaml::Section s, SpeedFactorDistribution& d) {
  if (auto v = s.choice("kind", {"uniform", "lognormal"}, true)) d.kind = *v;
  if (d.kind == "uniform") {
    if (auto v = s.real("min", 0.0, kMaxFactor, true, true)) d.min = *v;
    if (auto v = s.real("max", 0.0, kMaxFactor, true, true)) d.max = *v;
    if (d.min > d.max) s.error("max", fmt::format("must be at least min ({})", d.min));
  } else {
    if (auto v = s.real("sigma", 0.0, 10.0, true)) d.sigma = *v;
  }
  s.finish();
}

void read_speed_factors(yaml::Section& s, ComputeSpec& c, int workers) {
  const YAML::Node node = s.node();
  const YAML::Node& map = node;
  const YAML::Node child = map["speed_factors"];
  if (child.IsDefined() && child.IsMap()) {
    if (auto d = s.section("speed_factors")) {
      c.speed_distribution.emplace();
      read_speed_distribution(*d, *c.speed_distribution);
    }
    return;
  }
  if (auto v = s.reals("speed_factors", 1e-6, kMaxFactor)) {
    c.speed_factors = *v;
    if (workers > 0 && static_cast<int>(v->size()) != workers) {
      s.error("speed_factors",
              fmt::format("expected one factor per worker ({}), or a mapping such as {{kind: "
                          "uniform, min: 0.5, max: 1}}; got {}",
                          workers, v->size()));
    }
  }
}

void read_stragglers(yaml::Section s, StragglerSpec& stragglers) {
  if (auto v = s.real("probability", 0.0, 1.0, true)) stragglers.probability = *v;
  if (auto v = s.real("slowdown", 1.0, kMaxFactor, true)) stragglers.slowdown = *v;
  s.finish();
}

void read_window(yaml::Section s, SlowdownWindow& window, int workers) {
  const std::int64_t last_worker = workers > 0 ? workers - 1 : std::numeric_limits<int>::max();
  if (auto v = s.integer("worker", 0, last_worker, true)) window.worker = static_cast<int>(*v);
  const auto from = s.duration("from", true);
  const auto until = s.duration("until", true);
  if (from) window.from = *from;
  if (until) window.until = *until;
  if (from && until && !(*from < *until)) s.error("until", "must be later than from");
  if (auto v = s.real("factor", 0.0, kMaxFactor, true, true)) window.factor = *v;
  s.finish();
}

void read_slowdowns(yaml::Section& s, ComputeSpec& c, int workers, yaml::Diagnostics& diagnostics) {
  if (!s.has("slowdowns")) return;
  const YAML::Node node = s.node();
  const YAML::Node& map = node;
  const YAML::Node list = map["slowdowns"];
  if (!list.IsSequence()) {
    s.error("slowdowns", "expected a list of {worker, from, until, factor} mappings");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("{}[{}]", s.child_path("slowdowns"), i);
    if (!list[i].IsMap()) {
      diagnostics.error(list[i].Mark(), path, "expected a mapping {worker, from, until, factor}");
      continue;
    }
    SlowdownWindow window;
    read_window(yaml::Section(list[i], path, diagnostics), window, workers);
    c.slowdowns.push_back(window);
  }
}

void read_jitter(yaml::Section s, ComputeSpec& c) {
  s.choice("kind", {"lognormal"}, true);
  if (auto v = s.real("sigma", 0.0, 10.0, true)) c.jitter_sigma = *v;
  s.finish();
}

}  // namespace

void read_compute(yaml::Section s, ComputeSpec& c, int workers, yaml::Diagnostics& diagnostics) {
  const auto kind = s.choice("kind", names_of(compute_model_catalog()), true);
  if (kind) c.kind = *kind;
  // With an unknown kind, its parameters are neither read nor reported: one error is enough.
  std::vector<std::string> used;
  for (const Parameter& p : parameters()) {
    const bool applies = kind && std::find(p.kinds.begin(), p.kinds.end(), *kind) != p.kinds.end();
    if (applies) {
      used.push_back(p.key);
    } else if (s.has(p.key) && kind) {
      s.error(p.key, fmt::format("not used by kind {}, only by {}", *kind, joined(p.kinds)));
    }
  }
  const auto uses = [&used](const char* key) {
    return std::find(used.begin(), used.end(), key) != used.end();
  };

  bool mean_ok = false;
  if (uses("mean")) {
    if (auto v = s.duration("mean", true)) {
      c.mean = *v;
      mean_ok = v->ns() > 0;
      if (!mean_ok) s.error("mean", "a step must take some time; expected a duration above 0");
    }
  }
  if (uses("std")) {
    if (auto v = s.duration("std", true)) c.std = *v;
  }
  if (uses("sigma")) {
    if (auto v = s.real("sigma", 0.0, 10.0, true)) c.sigma = *v;
  }
  if (uses("minimum")) {
    if (auto v = s.duration("minimum", true)) {
      c.minimum = *v;
      if (mean_ok && !(c.minimum < c.mean)) {
        s.error("minimum", "must be below mean: the exponential part has mean (mean − minimum)");
      }
    }
  }
  if (uses("shape")) {
    if (auto v = s.real("shape", 0.0, 1e6, true, true)) c.shape = *v;
  }
  if (uses("times") && s.has("times")) {
    // The step times come from memory (the Python module attaches them), not from a file.
    if (s.choice("times", {"arrays"})) c.times_in_memory = true;
    if (s.has("path")) s.error("path", "give the step times by path or as times: arrays, not both");
  } else if (uses("path")) {
    if (auto v = s.text("path", true)) {
      c.path = resolve_path(*v, diagnostics.file_of(s.child_path("path")));
      if (auto problem = input_file_problem(c.path)) {
        s.error("path", fmt::format("step-time file: {}", *problem));
      }
    }
  }
  if (uses("mode")) {
    if (auto v = s.choice("mode", {"replay", "resample"})) {
      c.mode = *v == "replay" ? EmpiricalMode::replay : EmpiricalMode::resample;
    }
  }
  if (uses("flops_per_second")) {
    if (auto v = s.real("flops_per_second", 0.0, 1e21, true, true)) c.flops_per_second = *v;
  }
  if (uses("efficiency")) {
    if (auto v = s.real("efficiency", 0.0, 1.0, true, true)) c.efficiency = *v;
  }
  if (uses("jitter")) {
    if (auto j = s.section("jitter")) read_jitter(*j, c);
  }

  read_speed_factors(s, c, workers);
  if (auto v = s.section("stragglers")) read_stragglers(*v, c.stragglers);
  read_slowdowns(s, c, workers, diagnostics);
  s.finish();
}

}  // namespace sgdsim
