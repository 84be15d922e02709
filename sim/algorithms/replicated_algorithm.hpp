// Shared machinery of algorithms in which every worker holds a full model replica: replicas, data
// shards and mini-batch sampling, snapshots and measurement of the averaged model.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "models/data/dataset.hpp"
#include "models/data/partition.hpp"
#include "models/objective.hpp"
#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/replica_averager.hpp"

namespace sgdsim {

// The problem every worker trains on; the data and objective outlive the algorithm.
template <class Scalar>
struct TrainingProblem {
  const Objective<Scalar>* objective = nullptr;
  const TrainTestData<Scalar>* data = nullptr;
  // eval.samples: the training samples the reported model is measured on (null: all of them)
  const Dataset<Scalar>* eval_train = nullptr;
  std::vector<Shard> shards;  // one per worker
  typename Objective<Scalar>::Vector initial_params;
  std::int64_t steps = 0;
  std::uint64_t seed = 0;
  int threads = 1;  // for measuring a model on the whole data set (same results for any count)
  bool measure_grad_norm = true;  // eval.grad_norm

  const Dataset<Scalar>& evaluation_set() const { return eval_train ? *eval_train : data->train; }
};

template <class Scalar>
class ReplicatedAlgorithm : public Algorithm {
 public:
  using Vector = typename Objective<Scalar>::Vector;

  ReplicatedAlgorithm(TrainingProblem<Scalar> problem, std::int64_t batch_size);

  int workers() const override { return static_cast<int>(replicas_.size()); }
  std::int64_t steps() const override { return problem_.steps; }
  void snapshot(int worker, std::int64_t step) override;
  ModelMetrics evaluate_average(std::int64_t step,
                                MeasureScope scope = MeasureScope::train_and_test) override;
  void write_average(std::ostream& out) const override;
  void rejoin(int worker) override { replicas_[worker] = last_average_; }
  void begin_delayed_round(int worker) override { sent_[worker] = replicas_[worker]; }
  void complete_delayed_round(std::int64_t step, const std::vector<int>& participants) override;
  void apply_delayed_round(int worker, std::int64_t steps_since_sent) override;

  const Vector& replica(int worker) const { return replicas_[worker]; }
  Vector average_of_replicas() const;
  // The model of the latest round (at first, the initial one): what model.csv gets.
  const Vector& consensus() const { return last_average_; }

 protected:
  // Mini-batch loss at `worker`'s current model; its gradient goes to `grad`. The loss is also
  // recorded for take_round_loss.
  Scalar stochastic_gradient(int worker, Vector& grad);
  // Scratch space of one local step (the mini-batch and its gradient): one per thread, not per
  // worker, so that a thousand workers cost a thousand models, not a thousand batches.
  struct StepScratch {
    typename Dataset<Scalar>::Matrix features;
    typename Dataset<Scalar>::Vector targets;
    Vector gradient;
  };
  static StepScratch& scratch() {
    thread_local StepScratch per_thread;
    return per_thread;
  }
  // A plain SGD step x ← x − γg on the next mini-batch; false when the loss or model is not finite.
  bool sgd_step(int worker, double lr);
  // Mean mini-batch loss of every local step since the previous call (NaN when none), summed in
  // worker order so that it does not depend on the order in which workers finished steps.
  double take_round_loss();
  // Whether a loss and a model are finite. The model's sum is finite iff every parameter is (unless
  // a diverging model's sum overflows, which is reported as the divergence it is): one vectorised
  // read, a tenth of a small model's step cheaper than allFinite() (bench/overhead_bench.cpp).
  static bool finite(Scalar loss, const Vector& model) {
    return std::isfinite(static_cast<double>(loss)) &&
           std::isfinite(static_cast<double>(model.sum()));
  }
  // Bytes of one model: the payload of algorithms that send their parameters once per round.
  double model_bytes() const { return static_cast<double>(num_params()) * sizeof(Scalar); }
  Vector& mutable_replica(int worker) { return replicas_[worker]; }
  // Replaces the participants' vectors by their mean (weighted, when averaging weights are set),
  // through the replica averager.
  void average_among(std::vector<Vector>& vectors, const std::vector<int>& participants);
  // Worker w's weight in every average, measured averages included: x̄ = Σ wᵢxᵢ / Σ wᵢ
  // (algorithm.weighting: samples gives the shard sizes). Empty: the plain mean.
  void set_average_weights(std::vector<double> weights) { average_weights_ = std::move(weights); }
  const std::vector<double>& average_weights() const { return average_weights_; }
  // Averages the participants' models and remembers the result for workers that rejoin later.
  void average_models(std::int64_t step, const std::vector<int>& participants);
  // Records the model the workers agreed on at `step` (what rejoining workers restart from, what
  // write_average writes), for algorithms whose rounds do not end in a plain average.
  void set_consensus(std::int64_t step, const Vector& model);
  // True: metrics always measure the consensus model (e.g. EASGD's centre), never the mean of the
  // replicas.
  virtual bool evaluates_consensus() const { return false; }
  const TrainingProblem<Scalar>& problem() const { return problem_; }
  ReplicaAverager<Scalar>& averager() { return *averager_; }
  Eigen::Index num_params() const { return problem_.objective->num_params(); }

 private:
  Vector mean_of(const std::vector<Vector>& vectors) const;

  TrainingProblem<Scalar> problem_;
  std::vector<Vector> replicas_;
  std::vector<BatchSampler> samplers_;
  std::vector<double> round_loss_sum_;
  std::vector<std::int64_t> round_loss_steps_;
  std::map<std::int64_t, std::vector<Vector>> snapshots_;
  std::vector<Vector> sent_;  // each worker's model as sent into an overlapped round
  Vector last_average_;       // the model of the latest synchronisation (at first, the initial one)
  std::int64_t last_average_step_ = 0;
  std::unique_ptr<ReplicaAverager<Scalar>> averager_;
  std::vector<double> average_weights_;  // one per worker; empty: equal weights
};

}  // namespace sgdsim
