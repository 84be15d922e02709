// Averaging N replicas in memory (the in-process communicator a round's math goes through) and
// costing a collective on a topology (the schedule evaluation a round's timing goes through,
// uncached).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <vector>

#include "sim/algorithms/in_process_communicator.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/cluster/network.hpp"

namespace {

template <class Scalar>
void BM_AverageReplicas(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  const auto params = static_cast<Eigen::Index>(state.range(1));
  using Vector = typename sgdsim::Communicator<Scalar>::Vector;
  std::vector<Vector> replicas(workers, Vector::Ones(params));
  std::vector<const Vector*> pointers;
  for (const Vector& replica : replicas) pointers.push_back(&replica);
  const std::vector<int> everyone = sgdsim::all_workers(workers);
  sgdsim::InProcessCommunicator<Scalar> communicator;
  Vector mean(params);
  for (auto _ : state) {  // the mean, then every replica set to it, as a round does
    communicator.average(everyone, {}, pointers, mean);
    for (Vector& replica : replicas) replica = mean;
    benchmark::DoNotOptimize(replicas.front().data());
  }
  state.SetBytesProcessed(state.iterations() * workers * params *
                          static_cast<std::int64_t>(sizeof(Scalar)));
}
BENCHMARK(BM_AverageReplicas<float>)->Args({8, 101'770})->Args({64, 101'770});
BENCHMARK(BM_AverageReplicas<double>)->Args({8, 101'770})->Args({64, 101'770});

void BM_CollectiveCost(benchmark::State& state, const char* collective, const char* topology) {
  const auto workers = static_cast<int>(state.range(0));
  sgdsim::NetworkSpec spec;
  spec.collective = collective;
  spec.topology = topology;
  if (spec.topology == "two_level") spec.workers_per_node = 8;
  const sgdsim::Network network(spec, workers);
  const auto instance = sgdsim::make_collective(collective);
  const std::vector<int> everyone = sgdsim::all_workers(workers);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        sgdsim::collective_cost(*instance, everyone, 4e8, network.topology()).duration);
  }
}
BENCHMARK_CAPTURE(BM_CollectiveCost, ring, "ring_allreduce", "switch")->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_CollectiveCost, halving_doubling, "halving_doubling", "switch")
    ->Arg(64)
    ->Arg(1024);
BENCHMARK_CAPTURE(BM_CollectiveCost, tree, "binary_tree", "switch")->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_CollectiveCost, hierarchical, "hierarchical", "two_level")->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_CollectiveCost, parameter_server, "parameter_server", "switch")
    ->Arg(64)
    ->Arg(1024);

}  // namespace
