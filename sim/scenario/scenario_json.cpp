#include "sim/scenario/scenario_json.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "models/nn/layer_spec.hpp"
#include "sim/algorithms/registry.hpp"

#include "sim/scenario/units.hpp"

namespace sgdsim {
namespace {

// model.layers as read_model accepts it back (a basic_block appears as its residual and relu).
nlohmann::ordered_json layers_json(const std::vector<nn::LayerSpec>& layers) {
  auto list = nlohmann::ordered_json::array();
  for (const nn::LayerSpec& l : layers) {
    nlohmann::ordered_json layer;
    layer["type"] = nn::to_string(l.kind);
    switch (l.kind) {
      case nn::LayerKind::conv2d:
        layer["channels"] = l.channels;
        [[fallthrough]];
      case nn::LayerKind::max_pool:
      case nn::LayerKind::avg_pool:
        layer["kernel"] = l.kernel;
        layer["stride"] = l.stride;
        layer["padding"] = l.padding;
        if (l.kind == nn::LayerKind::conv2d) layer["bias"] = l.bias;
        break;
      case nn::LayerKind::batch_norm:
        layer["momentum"] = l.momentum;
        layer["epsilon"] = l.epsilon;
        break;
      case nn::LayerKind::dense:
        layer["units"] = l.units;
        layer["bias"] = l.bias;
        break;
      case nn::LayerKind::residual:
        layer["layers"] = layers_json(l.layers);
        layer["shortcut"] = nn::to_string(l.shortcut);
        break;
      default:
        break;
    }
    list.push_back(std::move(layer));
  }
  return list;
}

const char* to_string(MomentumSync sync) {
  switch (sync) {
    case MomentumSync::average:
      return "average";
    case MomentumSync::local:
      return "local";
    case MomentumSync::reset:
      return "reset";
  }
  return "?";
}

const char* to_string(InnerOptimizerKind optimizer) {
  switch (optimizer) {
    case InnerOptimizerKind::sgd:
      return "sgd";
    case InnerOptimizerKind::adam:
      return "adam";
    case InnerOptimizerKind::adamw:
      return "adamw";
  }
  return "?";
}

// algorithm.interval as read_interval accepts it back.
nlohmann::ordered_json interval_to_json(const AlgorithmSpec& a) {
  const IntervalScheduleSpec& s = a.interval_schedule;
  switch (s.kind) {
    case IntervalKind::theory:
      return "theory";
    case IntervalKind::post_local:
      return {
          {"kind", "post_local"}, {"switch_step", s.switch_step}, {"interval", s.local_interval}};
    case IntervalKind::adaptive:
      return {{"kind", "adaptive"}, {"initial", s.initial}, {"minimum", s.minimum}};
    case IntervalKind::list: {
      auto phases = nlohmann::ordered_json::array();
      for (const IntervalPhase& p : s.phases) phases.push_back({p.from_step, p.interval});
      return phases;
    }
    case IntervalKind::fixed:
      break;
  }
  return a.interval;
}

nlohmann::ordered_json data_to_json(const DataSpec& d) {
  nlohmann::ordered_json j;
  j["kind"] = d.kind;
  j["partition"] = to_string(d.partition);
  if (d.partition == PartitionKind::dirichlet) j["alpha"] = d.alpha;
  if (d.partition == PartitionKind::shards) j["labels_per_worker"] = d.labels_per_worker;
  if (d.kind == "synthetic") {
    const SyntheticSpec& g = d.synthetic;
    j["samples"] = g.samples;
    j["test_samples"] = g.test_samples;
    j["features"] = g.features;
    if (g.task == Task::multiclass) {
      j["classes"] = g.classes;
      j["separation"] = g.separation;
    }
    j["noise"] = g.noise;
  } else if (d.kind != "arrays") {
    j["path"] = d.path;
    if (!d.test_path.empty()) j["test_path"] = d.test_path;
    if (d.features > 0) j["features"] = d.features;
  }
  if (d.limit > 0) j["limit"] = d.limit;
  if (d.test_limit > 0) j["test_limit"] = d.test_limit;
  if (d.augment.enabled()) {
    j["augment"] = {{"crop_padding", d.augment.crop_padding}, {"flip", d.augment.flip}};
  }
  return j;
}

// Only the keys the kind uses: read_compute reports the others.
nlohmann::ordered_json compute_to_json(const ComputeSpec& c) {
  nlohmann::ordered_json j;
  j["kind"] = c.kind;
  if (c.kind != "empirical" && c.kind != "flops") j["mean"] = format_duration(c.mean);
  if (c.kind == "normal") j["std"] = format_duration(c.std);
  if (c.kind == "lognormal") j["sigma"] = c.sigma;
  if (c.kind == "shifted_exponential") j["minimum"] = format_duration(c.minimum);
  if (c.kind == "gamma") j["shape"] = c.shape;
  if (c.kind == "empirical") {
    if (c.times_in_memory) {
      j["times"] = "arrays";
    } else {
      j["path"] = c.path;
    }
    j["mode"] = to_string(c.mode);
  }
  if (c.kind == "flops") {
    j["flops_per_second"] = c.flops_per_second;
    j["efficiency"] = c.efficiency;
    if (c.jitter_sigma > 0) j["jitter"] = {{"kind", "lognormal"}, {"sigma", c.jitter_sigma}};
  }
  if (!c.speed_factors.empty()) j["speed_factors"] = c.speed_factors;
  if (const auto& d = c.speed_distribution) {
    auto& speeds = j["speed_factors"];
    speeds["kind"] = d->kind;
    if (d->kind == "uniform") {
      speeds["min"] = d->min;
      speeds["max"] = d->max;
    } else {
      speeds["sigma"] = d->sigma;
    }
  }
  if (c.stragglers.probability > 0) {
    j["stragglers"] = {{"probability", c.stragglers.probability},
                       {"slowdown", c.stragglers.slowdown}};
  }
  for (const SlowdownWindow& w : c.slowdowns) {
    j["slowdowns"].push_back({{"worker", w.worker},
                              {"from", format_duration(w.from)},
                              {"until", format_duration(w.until)},
                              {"factor", w.factor}});
  }
  return j;
}

nlohmann::ordered_json link_to_json(const Link& link) {
  return {{"latency", format_duration(link.latency)},
          {"bandwidth", format_rate(link.bytes_per_second)}};
}

// Only the keys the topology and collective use: read_network reports the others.
// async_sgd: no collective key (its workers talk to the parameter server, whose link is kept).
nlohmann::ordered_json network_to_json(const NetworkSpec& n, bool async) {
  nlohmann::ordered_json j;
  j["topology"] = n.topology;
  if (n.topology == "two_level") {
    j["workers_per_node"] = n.workers_per_node;
    j["intra"] = link_to_json(n.intra);
    j["inter"] = link_to_json(n.inter);
    j["nic"] = n.nic == NicSharing::per_node ? "per_node" : "per_worker";
  } else if (!n.by_size.empty()) {
    for (const SizeBand& band : n.by_size) {
      nlohmann::ordered_json b;
      if (!std::isinf(band.up_to_bytes)) b["up_to"] = format_size(band.up_to_bytes);
      b.update(link_to_json(band.link));
      j["by_size"].push_back(std::move(b));
    }
  } else {
    j["latency"] = format_duration(n.link.latency);
    j["bandwidth"] = format_rate(n.link.bytes_per_second);
  }
  if (!async) j["collective"] = n.collective;
  if (n.collective == "parameter_server") j["server"] = link_to_json(server_link(n));
  j["payload"] = n.payload_bytes ? format_size(*n.payload_bytes) : "auto";
  j["compression"] = n.compression;
  j["overlap"] = n.overlap;
  return j;
}

// A YAML value (flow text, as a sweep keeps it) as JSON: plain scalars become numbers, booleans
// and null where YAML 1.2's core schema reads them so; the rest stays text.
nlohmann::ordered_json yaml_to_json(const YAML::Node& node) {
  if (node.IsSequence()) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& item : node) list.push_back(yaml_to_json(item));
    return list;
  }
  if (node.IsMap()) {
    nlohmann::ordered_json map = nlohmann::ordered_json::object();
    for (const auto& entry : node) map[entry.first.Scalar()] = yaml_to_json(entry.second);
    return map;
  }
  if (!node.IsScalar()) return nullptr;
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: a string even if it reads as a number
  if (text == "true" || text == "false") return text == "true";
  if (text == "null" || text == "~") return nullptr;
  const char* end = text.data() + text.size();
  std::int64_t integer = 0;
  if (auto [ptr, error] = std::from_chars(text.data(), end, integer);
      error == std::errc() && ptr == end) {
    return integer;
  }
  double real = 0.0;
  if (auto [ptr, error] = std::from_chars(text.data(), end, real);
      error == std::errc() && ptr == end && std::isfinite(real)) {
    return real;
  }
  return text;
}

nlohmann::ordered_json yaml_text_to_json(const std::string& text) {
  return yaml_to_json(YAML::Load(text));
}

}  // namespace

nlohmann::ordered_json sweep_to_json(const SweepSpec& sweep) {
  if (!sweep.enabled()) return nullptr;
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const SweepAxis& axis : sweep.axes) {
    auto values = nlohmann::ordered_json::array();
    for (std::size_t v = 0; v < axis.values.size(); ++v) {
      if (!axis.linked) {
        values.push_back(yaml_text_to_json(axis.values[v]));
        continue;
      }
      nlohmann::ordered_json keys = nlohmann::ordered_json::object();
      for (const std::string& assignment : axis.assignments[v]) {
        const auto equals = assignment.find('=');
        keys[assignment.substr(0, equals)] = yaml_text_to_json(assignment.substr(equals + 1));
      }
      values.push_back(std::move(keys));
    }
    j[axis.linked ? "linked" : "grid"][axis.key] = std::move(values);
  }
  j["replicates"] = sweep.replicates;
  return j;
}

nlohmann::ordered_json scenario_to_json(const Scenario& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["seed"] = s.seed;
  j["workers"] = s.workers;
  j["steps"] = s.steps;
  j["precision"] = to_string(s.precision);

  const AlgorithmSpec& a = s.algorithm;
  auto& algorithm = j["algorithm"];
  const AlgorithmInfo& info = algorithm_info(a.kind);
  const auto reads = [&info](const char* key) {
    return std::find(info.own_options.begin(), info.own_options.end(), key) !=
           info.own_options.end();
  };
  algorithm["kind"] = info.name;
  if (info.can.rounds) algorithm["interval"] = interval_to_json(a);
  if (a.interval_schedule.kind == IntervalKind::theory) {
    algorithm["interval_constant"] = a.interval_schedule.interval_constant;
  }
  if (a.lr_theory) {
    algorithm["lr"] = "theory";
    algorithm["lr_constant"] = a.lr_constant;
  } else {
    algorithm["lr"] = a.lr;
  }
  if (a.batch_size == 0) {
    algorithm["batch_size"] = "full";
  } else {
    algorithm["batch_size"] = a.batch_size;
  }
  // Each optimizer's own keys only: read back, the others would be refused.
  const bool sgd = a.optimizer == InnerOptimizerKind::sgd;
  algorithm["optimizer"] = to_string(a.optimizer);
  if (info.can.inner_momentum) {
    if (sgd) algorithm["momentum"] = a.momentum;
    algorithm["momentum_sync"] = to_string(a.momentum_sync);
    if (sgd) algorithm["nesterov"] = a.nesterov;
  }
  if (!sgd) {
    algorithm["beta1"] = a.beta1;
    algorithm["beta2"] = a.beta2;
    algorithm["epsilon"] = a.epsilon;
  }
  algorithm["weight_decay"] = a.weight_decay;
  algorithm["clip_norm"] = a.clip_norm;
  algorithm["lr_schedule"]["kind"] = a.lr_schedule.kind;
  if (a.lr_schedule.kind == "step") {
    algorithm["lr_schedule"]["every"] = a.lr_schedule.every;
    algorithm["lr_schedule"]["factor"] = a.lr_schedule.factor;
  }
  if (a.lr_schedule.kind == "cosine") algorithm["lr_schedule"]["min_lr"] = a.lr_schedule.min_lr;
  algorithm["lr_schedule"]["warmup_steps"] = a.lr_schedule.warmup_steps;
  if (reads("while_waiting")) {
    algorithm["while_waiting"] = a.while_waiting == WhileWaiting::idle ? "idle" : "local_steps";
  }
  if (reads("outer_lr")) {
    algorithm["outer_lr"] = a.outer_lr;
    algorithm["outer_momentum"] = a.outer_momentum;
  }
  if (reads("clients_per_round")) algorithm["clients_per_round"] = a.clients_per_round;
  if (reads("weighting")) {
    algorithm["weighting"] = a.weighting == Weighting::equal ? "equal" : "samples";
  }
  if (reads("elasticity")) algorithm["elasticity"] = a.elasticity;
  if (reads("group_size")) algorithm["group_size"] = a.group_size;
  if (reads("global_interval")) algorithm["global_interval"] = a.global_interval;
  if (reads("graph")) {
    algorithm["graph"] = a.graph == GossipGraph::ring    ? "ring"
                         : a.graph == GossipGraph::torus ? "torus"
                                                         : "complete";
  }

  auto& model = j["model"];
  model["kind"] = s.model.kind;
  if (s.model.kind == "mlp") {
    model["hidden"] = s.model.hidden;
    model["activation"] = s.model.activation == Activation::relu ? "relu" : "tanh";
  }
  model["init"] = s.model.init == InitKind::zeros ? "zeros" : "random";
  if (s.model.kind == "sequential") model["layers"] = layers_json(s.model.layers);
  if (const auto& shape = s.model.input_shape) {
    model["input_shape"] = {shape->channels, shape->height, shape->width};
  }

  j["data"] = data_to_json(s.data);

  j["compute"] = compute_to_json(s.compute);

  j["network"] = network_to_json(s.network, !info.can.rounds);

  if (s.availability.enabled()) {
    auto& availability = j["availability"];
    if (!s.availability.outages.empty()) {
      auto& outages = availability["outages"] = nlohmann::ordered_json::array();
      for (const ScheduledOutage& o : s.availability.outages) {
        outages.push_back({{"worker", o.worker},
                           {"at", format_duration(o.start)},
                           {"for", format_duration(o.duration)}});
      }
    }
    if (s.availability.mean_time_between_failures) {
      availability["mtbf"] = format_duration(*s.availability.mean_time_between_failures);
      availability["repair"] = format_duration(s.availability.repair_time);
    }
  }
  j["eval"]["every"] = s.eval.every;
  j["eval"]["grad_norm"] = s.eval.grad_norm;
  j["eval"]["samples"] = s.eval.samples;
  j["eval"]["step_averages"] = s.eval.step_averages;
  j["output"]["trace"] = s.output.trace;
  j["output"]["model"] = s.output.model;
  j["output"]["trace_limit"] = format_size(s.output.trace_limit_bytes);
  return j;
}

}  // namespace sgdsim
