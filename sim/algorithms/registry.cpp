#include "sim/algorithms/registry.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/algorithms/async_sgd.hpp"
#include "sim/algorithms/easgd.hpp"
#include "sim/algorithms/gossip.hpp"
#include "sim/algorithms/local_sgd.hpp"

namespace sgdsim {
namespace {

template <template <class> class Kind, class Scalar>
std::unique_ptr<ReplicaAlgorithm<Scalar>> make(TrainingProblem<Scalar> problem,
                                               const AlgorithmSpec& spec,
                                               Communicator<Scalar>* communicator,
                                               WorkerRange local) {
  return std::make_unique<Kind<Scalar>>(std::move(problem), spec, communicator, local);
}

template <class Scalar>
std::unique_ptr<AsyncAlgorithm> make_async_sgd(TrainingProblem<Scalar> problem,
                                               const AlgorithmSpec& spec) {
  return std::make_unique<AsyncSgd<Scalar>>(std::move(problem), spec);
}

AlgorithmInfo local_sgd_family(AlgorithmKind kind, std::string name, std::string description,
                               std::vector<std::string> options, bool overlap, bool failures,
                               bool keep_stepping) {
  AlgorithmInfo info{kind, std::move(name), std::move(description), {}, std::move(options)};
  info.can.overlap = overlap;
  info.can.failures = failures;
  info.can.keep_stepping = keep_stepping;
  info.can.real = true;
  info.make_float = make<LocalSgd, float>;
  info.make_double = make<LocalSgd, double>;
  return info;
}

std::vector<AlgorithmInfo> build_catalog() {
  std::vector<AlgorithmInfo> catalog;
  catalog.push_back(local_sgd_family(
      AlgorithmKind::local_sgd, "local_sgd",
      "Parallel Restarted SGD (local SGD): local steps, exact model averaging every `interval` "
      "steps",
      {"while_waiting", "weighting"}, true, true, true));
  catalog.push_back(local_sgd_family(
      AlgorithmKind::slowmo, "slowmo",
      "local SGD with slow momentum on the averaged update (Wang et al. 2020)",
      {"while_waiting", "weighting", "outer_lr", "outer_momentum"}, false, true, true));
  catalog.push_back(local_sgd_family(
      AlgorithmKind::diloco, "diloco",
      "local SGD with an outer Nesterov step on the averaged update (Douillard et al. 2023)",
      {"while_waiting", "weighting", "outer_lr", "outer_momentum"}, false, true, true));
  catalog.push_back(local_sgd_family(
      AlgorithmKind::fedavg, "fedavg",
      "federated averaging: K of N workers, sampled each round, averaged by shard size",
      {"clients_per_round"}, false, false, false));

  AlgorithmInfo easgd{AlgorithmKind::easgd,
                      "easgd",
                      "elastic averaging SGD: workers and a centre pulled together every "
                      "`interval` steps (Zhang et al. 2015)",
                      {},
                      {"elasticity"}};
  easgd.can.inner_momentum = false;
  easgd.can.failures = true;
  easgd.can.real = true;
  easgd.make_float = make<Easgd, float>;
  easgd.make_double = make<Easgd, double>;
  catalog.push_back(std::move(easgd));

  AlgorithmInfo gossip{AlgorithmKind::gossip,
                       "gossip",
                       "decentralized SGD: each worker averages with its ring/torus neighbours "
                       "after every step (Lian et al. 2017)",
                       {},
                       {"graph"}};
  gossip.can.inner_momentum = false;
  gossip.can.interval_required = false;
  gossip.can.real = true;
  gossip.make_float = make<Gossip, float>;
  gossip.make_double = make<Gossip, double>;
  catalog.push_back(std::move(gossip));

  AlgorithmInfo async{AlgorithmKind::async_sgd,
                      "async_sgd",
                      "asynchronous parameter-server SGD: gradients applied on arrival, with the "
                      "staleness the timing produces",
                      {},
                      {}};
  async.can.rounds = false;
  async.can.inner_momentum = false;
  async.can.interval_required = false;
  async.can.threads = false;
  async.make_async_float = make_async_sgd<float>;
  async.make_async_double = make_async_sgd<double>;
  catalog.push_back(std::move(async));

  AlgorithmInfo hierarchical = local_sgd_family(
      AlgorithmKind::hierarchical_local_sgd, "hierarchical_local_sgd",
      "hierarchical local SGD: groups of `group_size` workers average every `interval` steps, all "
      "workers every `global_interval` (Lin et al. 2020)",
      {"weighting", "group_size", "global_interval"}, false, false, false);
  hierarchical.can.real = false;
  hierarchical.simulated_only_because =
      "its group rounds need a barrier and a communicator per group (MPI_Comm_split), which the "
      "real-run driver, whose rounds meet all ranks, does not have";
  catalog.push_back(std::move(hierarchical));
  return catalog;
}

}  // namespace

const std::vector<AlgorithmInfo>& algorithm_catalog() {
  static const std::vector<AlgorithmInfo> catalog = build_catalog();
  return catalog;
}

const AlgorithmInfo* find_algorithm(std::string_view name) {
  for (const auto& info : algorithm_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const AlgorithmInfo& algorithm_info(AlgorithmKind kind) {
  for (const auto& info : algorithm_catalog()) {
    if (info.kind == kind) return info;
  }
  throw std::logic_error("an algorithm kind without a catalog row");
}

const std::string& algorithm_name(AlgorithmKind kind) {
  return algorithm_info(kind).name;
}

std::string kinds_with(bool AlgorithmCapabilities::*capability, const char* last_separator) {
  std::vector<std::string> names;
  for (const auto& info : algorithm_catalog()) {
    if (info.can.*capability) names.push_back(info.name);
  }
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? last_separator : ", ";
    text += names[i];
  }
  return text;
}

template <class Scalar>
std::unique_ptr<ReplicaAlgorithm<Scalar>> make_algorithm(const AlgorithmSpec& spec,
                                                         TrainingProblem<Scalar> problem,
                                                         Communicator<Scalar>* communicator,
                                                         WorkerRange local) {
  const AlgorithmInfo& info = algorithm_info(spec.kind);
  AlgorithmFactory<Scalar> factory;
  if constexpr (std::is_same_v<Scalar, float>) {
    factory = info.make_float;
  } else {
    factory = info.make_double;
  }
  if (factory == nullptr) {
    throw std::invalid_argument(fmt::format("'{}' runs asynchronously, not in rounds", info.name));
  }
  return factory(std::move(problem), spec, communicator, local);
}

template std::unique_ptr<ReplicaAlgorithm<float>> make_algorithm<float>(const AlgorithmSpec&,
                                                                        TrainingProblem<float>,
                                                                        Communicator<float>*,
                                                                        WorkerRange);
template std::unique_ptr<ReplicaAlgorithm<double>> make_algorithm<double>(const AlgorithmSpec&,
                                                                          TrainingProblem<double>,
                                                                          Communicator<double>*,
                                                                          WorkerRange);

template <class Scalar>
std::unique_ptr<AsyncAlgorithm> make_async_algorithm(const AlgorithmSpec& spec,
                                                     TrainingProblem<Scalar> problem) {
  const AlgorithmInfo& info = algorithm_info(spec.kind);
  AsyncAlgorithmFactory<Scalar> factory;
  if constexpr (std::is_same_v<Scalar, float>) {
    factory = info.make_async_float;
  } else {
    factory = info.make_async_double;
  }
  if (factory == nullptr) {
    std::string known;
    for (const auto& row : algorithm_catalog()) {
      if (!row.can.rounds) known += (known.empty() ? "" : ", ") + row.name;
    }
    throw std::invalid_argument(
        fmt::format("'{}' is no asynchronous algorithm; known: {}", info.name, known));
  }
  return factory(std::move(problem), spec);
}

template std::unique_ptr<AsyncAlgorithm> make_async_algorithm<float>(const AlgorithmSpec&,
                                                                     TrainingProblem<float>);
template std::unique_ptr<AsyncAlgorithm> make_async_algorithm<double>(const AlgorithmSpec&,
                                                                      TrainingProblem<double>);

}  // namespace sgdsim
