#include "sim/scenario/scenario_json.hpp"

#include "sim/scenario/units.hpp"

namespace sgdsim {
namespace {

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

nlohmann::ordered_json data_to_json(const DataSpec& d) {
  nlohmann::ordered_json j;
  j["kind"] = d.kind;
  j["partition"] = d.partition == PartitionKind::iid ? "iid" : "contiguous";
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
  } else {
    j["path"] = d.path;
    if (!d.test_path.empty()) j["test_path"] = d.test_path;
  }
  if (d.limit > 0) j["limit"] = d.limit;
  if (d.test_limit > 0) j["test_limit"] = d.test_limit;
  return j;
}

}  // namespace

nlohmann::ordered_json scenario_to_json(const Scenario& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["seed"] = s.seed;
  j["workers"] = s.workers;
  j["steps"] = s.steps;
  j["precision"] = to_string(s.precision);

  const AlgorithmSpec& a = s.algorithm;
  auto& algorithm = j["algorithm"];
  algorithm["kind"] = a.kind;
  algorithm["interval"] = a.interval;
  algorithm["lr"] = a.lr;
  if (a.batch_size == 0) {
    algorithm["batch_size"] = "full";
  } else {
    algorithm["batch_size"] = a.batch_size;
  }
  algorithm["momentum"] = a.momentum;
  algorithm["momentum_sync"] = to_string(a.momentum_sync);
  algorithm["lr_schedule"]["kind"] = a.lr_schedule.kind;
  if (a.lr_schedule.kind == "step") {
    algorithm["lr_schedule"]["every"] = a.lr_schedule.every;
    algorithm["lr_schedule"]["factor"] = a.lr_schedule.factor;
  }

  auto& model = j["model"];
  model["kind"] = s.model.kind;
  if (s.model.kind == "mlp") {
    model["hidden"] = s.model.hidden;
    model["activation"] = s.model.activation == Activation::relu ? "relu" : "tanh";
  }
  model["init"] = s.model.init == InitKind::zeros ? "zeros" : "random";

  j["data"] = data_to_json(s.data);

  auto& compute = j["compute"];
  compute["kind"] = s.compute.kind;
  compute["mean"] = format_duration(s.compute.mean);
  if (s.compute.kind == "lognormal") compute["sigma"] = s.compute.sigma;
  if (!s.compute.speed_factors.empty()) compute["speed_factors"] = s.compute.speed_factors;

  auto& network = j["network"];
  network["latency"] = format_duration(s.network.link.latency);
  network["bandwidth"] = format_rate(s.network.link.bytes_per_second);
  network["collective"] = s.network.collective;
  network["payload"] = s.network.payload_bytes ? format_size(*s.network.payload_bytes) : "auto";

  j["eval"]["every"] = s.eval.every;
  j["output"]["trace"] = s.output.trace;
  j["output"]["model"] = s.output.model;
  return j;
}

}  // namespace sgdsim
