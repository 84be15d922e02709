// What the algorithms in which every worker holds a full model replica share: the states of the
// workers this process holds, the model the workers last agreed on (what a rejoining worker
// restarts from and model.csv gets), the averaging weights, and the communicator through which
// rounds combine workers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/communicator.hpp"
#include "sim/algorithms/inner_optimizer.hpp"
#include "sim/algorithms/round_policy.hpp"
#include "sim/algorithms/training_problem.hpp"
#include "sim/algorithms/worker_state.hpp"

namespace sgdsim {

// The workers a process holds: [first, first + count) of `total`.
struct WorkerRange {
  int first = 0;
  int count = 0;
  bool contains(int worker) const { return worker >= first && worker < first + count; }
};

template <class Scalar>
class ReplicaAlgorithm : public Algorithm {
 public:
  using Vector = typename Objective<Scalar>::Vector;

  // `local`: the workers this process holds (count 0: all of them). Without a communicator, an
  // in-process one of its own (every worker here).
  ReplicaAlgorithm(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
                   Communicator<Scalar>* communicator, bool with_momentum, WorkerRange local = {});

  int workers() const override { return problem_.workers(); }
  std::int64_t steps() const override { return problem_.steps; }
  RoundPolicy& rounds() override { return *policy_; }
  bool local_step(int worker, std::int64_t step) override {
    const LocalStepResult result = inner_.step(problem_, state(worker), step);
    if (!round_losses_.empty()) round_losses_[worker - local_.first].add(result.loss);
    return result.finite;
  }
  // The mean mini-batch loss since the last call: NaN unless the interval schedule is adaptive
  // (its only reader), so that other runs neither keep the sums nor communicate them.
  double take_round_loss() override;
  // Restarts from the latest average with an empty momentum buffer.
  void rejoin(int worker) override;
  void begin_delayed_round(int worker) override {
    if (sent_.empty()) sent_.resize(local_.count);  // only overlapped rounds need them
    sent_[worker - local_.first] = replica(worker);
  }
  void complete_delayed_round(std::int64_t step, const std::vector<int>& participants) override;
  void apply_delayed_round(int worker, std::int64_t steps_since_sent) override;

  const TrainingProblem<Scalar>& problem() const { return problem_; }
  const WorkerRange& local_workers() const { return local_; }
  const Vector& replica(int worker) const { return state(worker).model; }
  // A local worker's whole state: its model and its inner optimizer's.
  const WorkerState<Scalar>& worker_state(int worker) const { return state(worker); }
  // The model of the latest round (at first, the initial one), and that round's step.
  const Vector& consensus() const { return consensus_; }
  std::int64_t consensus_step() const { return consensus_step_; }
  // True: the reported model is always the consensus (e.g. EASGD's centre), never the mean of the
  // replicas.
  virtual bool reports_consensus() const { return false; }
  // Worker w's weight in every average, measured averages included: x̄ = Σ wᵢxᵢ / Σ wᵢ
  // (algorithm.weighting: samples gives the shard sizes). Empty: the plain mean.
  const std::vector<double>& average_weights() const { return average_weights_; }
  Communicator<Scalar>& communicator() { return *communicator_; }
  // The mean of every worker's replica (weighted as average_weights says).
  Vector average_of_replicas();

 protected:
  WorkerState<Scalar>& state(int worker) { return states_[worker - local_.first]; }
  const WorkerState<Scalar>& state(int worker) const { return states_[worker - local_.first]; }
  Vector& mutable_replica(int worker) { return state(worker).model; }
  const AlgorithmSpec& spec() const { return spec_; }
  const InnerOptimizer<Scalar>& inner() const { return inner_; }
  void set_policy(double payload_bytes, Exchange exchange = {});
  void set_average_weights(std::vector<double> weights) { average_weights_ = std::move(weights); }
  // The participants' weights, in their order (empty: equal weights).
  std::vector<double> weights_of(const std::vector<int>& participants) const;
  // The local participants' vectors: `which` picks one of a worker's state.
  std::vector<const Vector*> local_vectors(const std::vector<int>& participants,
                                           StateVector which) const;
  // Replaces the local participants' `which` vectors by their mean over all participants
  // (weighted as average_weights says); `mean` gets it too.
  void average_member(const std::vector<int>& participants, StateVector which, Vector& mean);
  // Averages the participants' models and makes the result the consensus.
  void average_models(std::int64_t step, const std::vector<int>& participants);
  // Records the model the workers agreed on at `step`, for algorithms whose rounds do not end in a
  // plain average.
  void set_consensus(std::int64_t step, const Vector& model);
  // Bytes of one model: the payload of algorithms that send their parameters once per round.
  double model_bytes() const { return static_cast<double>(num_params()) * sizeof(Scalar); }
  Eigen::Index num_params() const { return problem_.objective->num_params(); }

 private:
  TrainingProblem<Scalar> problem_;
  AlgorithmSpec spec_;
  std::unique_ptr<Communicator<Scalar>> own_communicator_;
  Communicator<Scalar>* communicator_;
  InnerOptimizer<Scalar> inner_;
  WorkerRange local_;
  // The local workers' shards, back to back: each worker's sampler reshuffles its own range.
  std::vector<std::int64_t> batch_orders_;
  std::vector<WorkerState<Scalar>> states_;  // local_.count of them
  struct RoundLoss {
    double sum = 0.0;
    std::int64_t steps = 0;
    void add(double loss) {
      sum += loss;
      ++steps;
    }
  };
  // Each local worker's mini-batch losses since the latest round; empty unless adaptive.
  std::vector<RoundLoss> round_losses_;
  std::unique_ptr<RoundPolicy> policy_;
  std::vector<Vector> sent_;  // each local worker's model as sent into an overlapped round
  Vector consensus_;
  std::int64_t consensus_step_ = 0;
  std::vector<double> average_weights_;  // one per worker; empty: equal weights
};

}  // namespace sgdsim
