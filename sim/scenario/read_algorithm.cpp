// The `algorithm` section: kind, step size, batch, inner optimizer and the communication schedule.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "sim/algorithms/gossip_graph.hpp"
#include "sim/algorithms/interval_schedule.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

using yaml::Section;

std::optional<std::int64_t> integer_of(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& text = node.Scalar();
  const char* begin = text.data() + (!text.empty() && text.front() == '+' ? 1 : 0);
  const char* end = text.data() + text.size();
  std::int64_t value = 0;
  const auto [ptr, error] = std::from_chars(begin, end, value);
  if (begin == end || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// `interval: [[0, 8], [500, 2]]`: (from_step, interval) phases.
void read_interval_list(Section& s, IntervalScheduleSpec& schedule, std::int64_t steps) {
  const YAML::Node list = s.node()["interval"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node pair = list[i];
    std::optional<std::int64_t> from, interval;
    if (pair.IsSequence() && pair.size() == 2) {
      from = integer_of(pair[0]);
      interval = integer_of(pair[1]);
    }
    const std::string where = fmt::format("pair {} ", i + 1);
    if (!from || !interval) {
      s.error("interval", where + "is not [from_step, interval] (two integers)");
      return;
    }
    if (i == 0 && *from != 0) s.error("interval", "the first pair must start at step 0");
    if (i > 0 && *from <= schedule.phases.back().from_step) {
      s.error("interval", where + "must start after the previous one (steps strictly increasing)");
    }
    if (steps > 0 && *from >= steps) {
      s.error("interval",
              where + fmt::format("starts at step {}, not before steps {}", *from, steps));
    }
    if (*interval < 1 || *interval > kMaxSteps) {
      s.error("interval", where + fmt::format("has interval {}; expected at least 1", *interval));
    }
    schedule.phases.push_back({*from, *interval});
  }
  if (list.size() == 0) s.error("interval", "an empty list; expected [from_step, interval] pairs");
}

// `Theory`, `THEORY`: the one word these keys take besides numbers, in another case.
bool misspelt_theory(Section& s, const char* key) {
  if (!s.has(key) || !s.node()[key].IsScalar()) return false;
  std::string word = s.node()[key].Scalar();
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (word != "theory" || s.node()[key].Scalar() == "theory") return false;
  s.text(key);
  s.error(key, fmt::format("expected a number or theory, got '{}' (did you mean 'theory'?)",
                           s.node()[key].Scalar()));
  return true;
}

// `algorithm.interval`: an integer, `theory`, {kind: post_local | adaptive, ...} or a list.
void read_interval(Section& s, AlgorithmSpec& a, int workers, std::int64_t steps) {
  IntervalScheduleSpec& schedule = a.interval_schedule;
  const bool theory = s.has("interval") && s.node()["interval"].IsScalar() &&
                      s.node()["interval"].Scalar() == "theory";
  if (s.has("interval_constant") && !theory) {
    s.error("interval_constant", "only used with interval: theory");
  }
  if (!s.has("interval")) {
    // Reports it missing where the kind needs one; gossip defaults to every step.
    s.integer("interval", 1, kMaxSteps, algorithm_info(a.kind).can.interval_required);
    return;
  }
  if (!theory && misspelt_theory(s, "interval")) return;
  const YAML::Node node = s.node()["interval"];
  if (theory) {
    s.text("interval");
    schedule.kind = IntervalKind::theory;
    if (auto v = s.real("interval_constant", 0.0, 1e6, false, true))
      schedule.interval_constant = *v;
    if (workers > 0 && steps > 0) {
      a.interval = theory_interval(workers, steps, schedule.interval_constant);
    }
  } else if (node.IsMap()) {
    auto m = s.section("interval");
    if (auto v = m->choice("kind", {"post_local", "adaptive"}, true)) {
      if (*v == "post_local") {
        schedule.kind = IntervalKind::post_local;
        if (auto t0 = m->integer("switch_step", 0, kMaxSteps, true)) {
          schedule.switch_step = *t0;
          if (steps > 0 && *t0 > steps) {
            m->error("switch_step", fmt::format("switch_step {} exceeds steps {}", *t0, steps));
          }
        }
        if (auto h = m->integer("interval", 1, kMaxSteps, true)) schedule.local_interval = *h;
      } else {
        schedule.kind = IntervalKind::adaptive;
        if (auto i0 = m->integer("initial", 1, kMaxSteps, true)) schedule.initial = *i0;
        if (auto lo = m->integer("minimum", 1, kMaxSteps)) {
          schedule.minimum = *lo;
          if (*lo > schedule.initial) {
            m->error("minimum",
                     fmt::format("minimum {} exceeds initial {}", *lo, schedule.initial));
          }
        }
      }
    }
    m->finish();
  } else if (node.IsSequence()) {
    schedule.kind = IntervalKind::list;
    read_interval_list(s, schedule, steps);
  } else if (node.IsScalar() && !integer_of(node)) {
    s.error(
        "interval",
        fmt::format("expected an integer ≥ 1, theory, {{kind: post_local, ...}}, "
                    "{{kind: adaptive, ...}} or a list of [from_step, interval] pairs, got '{}'",
                    node.Scalar()));
  } else if (auto v = s.integer("interval", 1, kMaxSteps)) {
    a.interval = *v;
    if (steps > 0 && *v > steps) {
      s.error(
          "interval",
          fmt::format("interval {} exceeds steps {}: no averaging would ever happen", *v, steps));
    }
  }
}

// `lr`: a number, or `theory` (γ = c_γ·√(N/T), with c_γ from lr_constant).
void read_lr(Section& s, AlgorithmSpec& a, int workers, std::int64_t steps) {
  a.lr_theory = s.has("lr") && s.node()["lr"].IsScalar() && s.node()["lr"].Scalar() == "theory";
  if (s.has("lr_constant") && !a.lr_theory) s.error("lr_constant", "only used with lr: theory");
  if (!a.lr_theory) {
    if (misspelt_theory(s, "lr")) return;
    if (auto v = s.real("lr", 0.0, 1e6, true, true)) a.lr = *v;
    return;
  }
  s.text("lr");
  if (auto v = s.real("lr_constant", 0.0, 1e6, false, true)) a.lr_constant = *v;
  if (workers > 0 && steps > 0) a.lr = theory_lr(workers, steps, a.lr_constant);
}

// `optimizer` and the keys of each: sgd's momentum and nesterov, adam(w)'s beta1, beta2, epsilon;
// momentum_sync (what a round does to the optimizer's state), weight_decay and clip_norm for all.
void read_inner_optimizer(Section& s, AlgorithmSpec& a) {
  if (auto v = s.choice("optimizer", {"sgd", "adam", "adamw"})) {
    a.optimizer = *v == "sgd"    ? InnerOptimizerKind::sgd
                  : *v == "adam" ? InnerOptimizerKind::adam
                                 : InnerOptimizerKind::adamw;
  }
  if (a.optimizer == InnerOptimizerKind::sgd) {
    for (const char* key : {"beta1", "beta2", "epsilon"}) {
      if (s.has(key)) s.error(key, "only used with optimizer: adam or adamw (this is sgd)");
    }
    if (auto v = s.real("momentum", 0.0, 0.999999)) a.momentum = *v;
    if (auto v = s.boolean("nesterov")) a.nesterov = *v;
    if (a.nesterov && a.momentum == 0.0) s.error("nesterov", "needs momentum > 0");
  } else {
    const char* name = a.optimizer == InnerOptimizerKind::adam ? "adam" : "adamw";
    for (const char* key : {"momentum", "nesterov"}) {
      if (s.has(key)) {
        s.error(key, fmt::format("only used with optimizer: sgd ({}'s momentum is beta1)", name));
      }
    }
    if (auto v = s.real("beta1", 0.0, 0.999999)) a.beta1 = *v;
    if (auto v = s.real("beta2", 0.0, 0.999999)) a.beta2 = *v;
    if (auto v = s.real("epsilon", 0.0, 1.0, false, true)) a.epsilon = *v;
  }
  if (auto v = s.choice("momentum_sync", {"average", "local", "reset"})) {
    a.momentum_sync = *v == "average" ? MomentumSync::average
                      : *v == "local" ? MomentumSync::local
                                      : MomentumSync::reset;
  }
  if (auto v = s.real("weight_decay", 0.0, 1e3)) a.weight_decay = *v;
  if (auto v = s.real("clip_norm", 0.0, 1e12)) a.clip_norm = *v;
}

// `lr_schedule`: {kind: constant | step | cosine, ..., warmup_steps: W}.
void read_lr_schedule(Section& s, AlgorithmSpec& a, std::int64_t steps) {
  LrSchedule& l = a.lr_schedule;
  l.total_steps = steps;
  auto schedule = s.section("lr_schedule");
  if (!schedule) return;
  if (auto v = schedule->choice("kind", {"constant", "step", "cosine"}, true)) l.kind = *v;
  const bool step = l.kind == "step";
  for (const char* key : {"every", "factor"}) {
    if (!step && schedule->has(key)) {
      schedule->error(key, fmt::format("only used with kind: step (this is {})", l.kind));
    }
  }
  if (auto v = schedule->integer("every", 1, kMaxSteps, step)) l.every = *v;
  if (auto v = schedule->real("factor", 0.0, 1.0, step, true)) l.factor = *v;
  if (schedule->has("min_lr") && l.kind != "cosine") {
    schedule->error("min_lr", fmt::format("only used with kind: cosine (this is {})", l.kind));
  } else if (auto v = schedule->real("min_lr", 0.0, 1e6)) {
    l.min_lr = *v;
    if (*v > a.lr) {
      schedule->error("min_lr", fmt::format("{} exceeds lr {}: the rate would rise", *v, a.lr));
    }
  }
  if (auto v = schedule->integer("warmup_steps", 0, kMaxSteps)) {
    l.warmup_steps = *v;
    if (steps > 0 && *v >= steps) {
      schedule->error(
          "warmup_steps",
          fmt::format("{} is not below steps {}: the warm-up would be the whole run", *v, steps));
    }
  }
  if (l.kind == "cosine" && l.min_lr == 0.0 && a.kind == AlgorithmKind::slowmo) {
    schedule->error(schedule->has("min_lr") ? "min_lr" : "kind",
                    "slowmo divides each round's update by γ of its last step, which cosine "
                    "brings to min_lr 0 at the last step: set min_lr > 0");
  }
  schedule->finish();
}

// A key that only some kinds read (their catalog rows' own_options): present with another kind,
// it is an error, not ignored.
bool used_by(Section& s, const char* key, AlgorithmKind kind) {
  if (!s.has(key)) return false;
  const auto reads = [key](const AlgorithmInfo& info) {
    return std::find(info.own_options.begin(), info.own_options.end(), key) !=
           info.own_options.end();
  };
  if (reads(algorithm_info(kind))) return true;
  std::string names;
  for (const AlgorithmInfo& info : algorithm_catalog()) {
    if (reads(info)) names += (names.empty() ? "" : " or ") + info.name;
  }
  s.error(key, fmt::format("only used with kind: {} (this is {})", names, algorithm_name(kind)));
  return false;
}

// hierarchical_local_sgd: `interval` (fixed) is the group period, `global_interval` a multiple of
// it; `group_size` defaults to network.workers_per_node (resolve_group_size, once the network is
// read).
void read_hierarchy(Section& s, AlgorithmSpec& a, int workers) {
  const bool hierarchical = a.kind == AlgorithmKind::hierarchical_local_sgd;
  if (used_by(s, "group_size", a.kind)) {
    if (auto v = s.integer("group_size", 1, kMaxWorkers)) {
      a.group_size = static_cast<int>(*v);
      if (workers > 0 && workers % *v != 0) {
        s.error("group_size", fmt::format("{} does not divide the {} workers into groups of "
                                          "consecutive workers",
                                          *v, workers));
      }
    }
  }
  const bool fixed = a.interval_schedule.kind == IntervalKind::fixed;
  if (hierarchical && s.has("interval") && !fixed) {
    s.error("interval", fmt::format("{} takes a fixed interval (the group averaging period I₁)",
                                    algorithm_name(a.kind)));
  }
  if (used_by(s, "global_interval", a.kind)) {
    if (auto v = s.integer("global_interval", 1, kMaxSteps)) {
      a.global_interval = *v;
      if (fixed && s.has("interval") && *v % a.interval != 0) {
        s.error("global_interval",
                fmt::format("{} is not a multiple of interval {}: every global round must also "
                            "end a group period",
                            *v, a.interval));
      }
    }
  }
  if (hierarchical && !s.has("global_interval")) {
    s.error("global_interval", "missing: I₂, the steps between averages over every worker");
  }
}

// Options of the variants beyond PR-SGD: heterogeneous rounds, outer optimizers, fedavg, easgd,
// gossip.
void read_variant_options(Section& s, AlgorithmSpec& a, int workers) {
  if (used_by(s, "while_waiting", a.kind)) {
    if (auto v = s.choice("while_waiting", {"idle", "local_steps"})) {
      a.while_waiting = *v == "idle" ? WhileWaiting::idle : WhileWaiting::local_steps;
    }
  }
  const bool outer = a.kind == AlgorithmKind::slowmo || a.kind == AlgorithmKind::diloco;
  if (used_by(s, "outer_lr", a.kind)) {
    if (auto v = s.real("outer_lr", 0.0, 1e3, false, true)) a.outer_lr = *v;
  }
  if (used_by(s, "outer_momentum", a.kind)) {
    if (auto v = s.real("outer_momentum", 0.0, 0.999999)) a.outer_momentum = *v;
  }
  if (outer && !s.has("outer_momentum")) s.error("outer_momentum", "missing (e.g. 0.5)");
  if (used_by(s, "clients_per_round", a.kind)) {
    if (auto v = s.integer("clients_per_round", 1, kMaxWorkers)) {
      a.clients_per_round = static_cast<int>(*v);
      if (workers > 0 && *v > workers) {
        s.error("clients_per_round", fmt::format("{} exceeds the {} workers", *v, workers));
      }
    }
  }
  if (a.kind == AlgorithmKind::fedavg && !s.has("clients_per_round")) {
    s.error("clients_per_round", "missing: K, the workers sampled for each round");
  }
  // fedavg always weighs by shard size (McMahan et al. 2017)
  if (used_by(s, "weighting", a.kind)) {
    if (auto v = s.choice("weighting", {"equal", "samples"})) {
      a.weighting = *v == "equal" ? Weighting::equal : Weighting::samples;
    }
  }
  if (used_by(s, "elasticity", a.kind)) {
    if (auto v = s.real("elasticity", 0.0, 1.0, false, true)) {
      a.elasticity = *v;
      if (workers > 0 && *v * workers > 1.0) {
        s.error("elasticity",
                fmt::format("{} × {} workers exceeds 1: the centre would overshoot the workers' "
                            "mean (Zhang et al. 2015 use N·α = 0.9)",
                            *v, workers));
      }
    }
  }
  if (used_by(s, "graph", a.kind)) {
    if (auto v = s.choice("graph", {"ring", "torus", "complete"})) {
      a.graph = *v == "ring"    ? GossipGraph::ring
                : *v == "torus" ? GossipGraph::torus
                                : GossipGraph::complete;
      if (a.graph == GossipGraph::torus) {
        try {
          (void)torus_shape(workers);
        } catch (const std::invalid_argument& e) {
          s.error("graph", e.what());
        }
      }
    }
  }
  read_hierarchy(s, a, workers);
  const AlgorithmInfo& info = algorithm_info(a.kind);
  if (a.optimizer != InnerOptimizerKind::sgd && !info.can.inner_momentum) {
    s.error("optimizer",
            fmt::format("{} takes sgd steps: it has no place for an optimizer state (adam and "
                        "adamw run with {})",
                        info.name, kinds_with(&AlgorithmCapabilities::inner_momentum, " or ")));
  }
  if (!info.can.rounds) {
    for (const char* key : {"interval", "momentum", "momentum_sync", "nesterov"}) {
      if (s.has(key)) {
        s.error(key,
                fmt::format("not used by {} (each gradient is applied on arrival)", info.name));
      }
    }
  } else if (!info.can.inner_momentum) {
    for (const char* key : {"momentum", "momentum_sync", "nesterov"}) {
      if (s.has(key)) s.error(key, fmt::format("not used by {} (plain SGD steps)", info.name));
    }
  }
}

}  // namespace

void read_algorithm(yaml::Section s, AlgorithmSpec& a, int workers, std::int64_t steps) {
  if (auto v = s.choice("kind", names_of(algorithm_catalog()), true)) {
    a.kind = find_algorithm(*v)->kind;
  }
  read_interval(s, a, workers, steps);
  read_lr(s, a, workers, steps);
  if (s.has("batch_size") && s.node()["batch_size"].IsScalar() &&
      s.node()["batch_size"].Scalar() == "full") {
    s.text("batch_size");
    a.batch_size = 0;
  } else if (s.has("batch_size")) {
    if (auto v = s.integer("batch_size", 1, 1 << 24)) a.batch_size = *v;
  }
  read_inner_optimizer(s, a);
  read_lr_schedule(s, a, steps);
  read_variant_options(s, a, workers);
  s.finish();
}

}  // namespace sgdsim
