#include "sim/algorithms/registry.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/algorithms/async_sgd.hpp"
#include "sim/algorithms/easgd.hpp"
#include "sim/algorithms/gossip.hpp"
#include "sim/algorithms/local_sgd.hpp"

namespace sgdsim {

const std::vector<AlgorithmInfo>& algorithm_catalog() {
  static const std::vector<AlgorithmInfo> catalog = {
      {"local_sgd",
       "Parallel Restarted SGD (local SGD): local steps, exact model averaging every `interval` "
       "steps"},
      {"slowmo", "local SGD with slow momentum on the averaged update (Wang et al. 2020)"},
      {"diloco",
       "local SGD with an outer Nesterov step on the averaged update (Douillard et al. "
       "2023)"},
      {"fedavg", "federated averaging: K of N workers, sampled each round, averaged by shard size"},
      {"easgd",
       "elastic averaging SGD: workers and a centre pulled together every `interval` "
       "steps (Zhang et al. 2015)"},
      {"gossip",
       "decentralized SGD: each worker averages with its ring/torus neighbours after "
       "every step (Lian et al. 2017)"},
      {"async_sgd",
       "asynchronous parameter-server SGD: gradients applied on arrival, with the "
       "staleness the timing produces"},
  };
  return catalog;
}

const AlgorithmInfo* find_algorithm(std::string_view name) {
  for (const auto& info : algorithm_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

template <class Scalar>
std::unique_ptr<Algorithm> make_algorithm(const AlgorithmSpec& spec,
                                          TrainingProblem<Scalar> problem) {
  for (const char* kind : {"local_sgd", "slowmo", "diloco", "fedavg"}) {
    if (spec.kind == kind) return std::make_unique<LocalSgd<Scalar>>(std::move(problem), spec);
  }
  if (spec.kind == "easgd") return std::make_unique<Easgd<Scalar>>(std::move(problem), spec);
  if (spec.kind == "gossip") return std::make_unique<Gossip<Scalar>>(std::move(problem), spec);
  std::string known;
  for (const auto& info : algorithm_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(fmt::format("unknown algorithm '{}'; known: {}", spec.kind, known));
}

template std::unique_ptr<Algorithm> make_algorithm<float>(const AlgorithmSpec&,
                                                          TrainingProblem<float>);
template std::unique_ptr<Algorithm> make_algorithm<double>(const AlgorithmSpec&,
                                                           TrainingProblem<double>);

template <class Scalar>
std::unique_ptr<AsyncAlgorithm> make_async_algorithm(const AlgorithmSpec& spec,
                                                     TrainingProblem<Scalar> problem) {
  if (spec.kind == "async_sgd") return std::make_unique<AsyncSgd<Scalar>>(std::move(problem), spec);
  throw std::invalid_argument(
      fmt::format("'{}' is no asynchronous algorithm; known: async_sgd", spec.kind));
}

template std::unique_ptr<AsyncAlgorithm> make_async_algorithm<float>(const AlgorithmSpec&,
                                                                     TrainingProblem<float>);
template std::unique_ptr<AsyncAlgorithm> make_async_algorithm<double>(const AlgorithmSpec&,
                                                                      TrainingProblem<double>);

}  // namespace sgdsim
