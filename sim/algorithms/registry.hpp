// Training algorithms by the name a scenario uses for them: one table of name, description,
// capabilities and factory. Every check of what a kind supports reads its capabilities here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/async_algorithm.hpp"
#include "sim/algorithms/communicator.hpp"
#include "sim/algorithms/replica_algorithm.hpp"
#include "sim/algorithms/training_problem.hpp"

namespace sgdsim {

struct AlgorithmCapabilities {
  bool rounds = true;  // workers meet in rounds (SynchronousRun); false: asynchronous (AsyncRun)
  bool inner_momentum = true;     // algorithm.momentum, nesterov, momentum_sync
  bool interval_required = true;  // false: interval defaults to every step, or is not used
  bool overlap = false;           // network.overlap: averaging overlaps the next local steps
  bool failures = false;          // availability: workers fail and rejoin
  bool keep_stepping = false;     // while_waiting: local_steps
  bool threads = true;            // --threads runs the workers' local steps in parallel
  bool real = false;              // sgdsim run --real: executed on MPI ranks
};

template <class Scalar>
using AlgorithmFactory = std::unique_ptr<ReplicaAlgorithm<Scalar>> (*)(TrainingProblem<Scalar>,
                                                                       const AlgorithmSpec&,
                                                                       Communicator<Scalar>*,
                                                                       WorkerRange);
template <class Scalar>
using AsyncAlgorithmFactory = std::unique_ptr<AsyncAlgorithm> (*)(TrainingProblem<Scalar>,
                                                                  const AlgorithmSpec&);

struct AlgorithmInfo {
  AlgorithmKind kind;
  std::string name;
  std::string description;
  AlgorithmCapabilities can;
  // algorithm.* keys that only some kinds read: present with any other kind, they are errors.
  std::vector<std::string> own_options;
  // !can.real: why `run --real` refuses the kind, when there is more to say than that.
  std::string simulated_only_because = {};
  // One of the two pairs is set, as `can.rounds` says.
  AlgorithmFactory<float> make_float = nullptr;
  AlgorithmFactory<double> make_double = nullptr;
  AsyncAlgorithmFactory<float> make_async_float = nullptr;
  AsyncAlgorithmFactory<double> make_async_double = nullptr;
};

const std::vector<AlgorithmInfo>& algorithm_catalog();
const AlgorithmInfo* find_algorithm(std::string_view name);
const AlgorithmInfo& algorithm_info(AlgorithmKind kind);
const std::string& algorithm_name(AlgorithmKind kind);
// The names of the kinds with a capability, e.g. "local_sgd, slowmo and diloco".
std::string kinds_with(bool AlgorithmCapabilities::*capability, const char* last_separator);

// An algorithm whose workers meet in rounds, holding the workers `local` (count 0: all) and
// combining them through `communicator` (null: an in-process one of its own).
// Throws std::invalid_argument for an asynchronous kind, or workers the kind cannot be laid on.
template <class Scalar>
std::unique_ptr<ReplicaAlgorithm<Scalar>> make_algorithm(
    const AlgorithmSpec& spec, TrainingProblem<Scalar> problem,
    Communicator<Scalar>* communicator = nullptr, WorkerRange local = {});

// The algorithms a scenario runs asynchronously (sim/run/async_run.hpp). Throws
// std::invalid_argument for any other kind.
template <class Scalar>
std::unique_ptr<AsyncAlgorithm> make_async_algorithm(const AlgorithmSpec& spec,
                                                     TrainingProblem<Scalar> problem);

}  // namespace sgdsim
