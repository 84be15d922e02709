// The inner optimizers (sgd with weight decay, adam, adamw), gradient clipping and what rounds do
// to the optimizer's state, each checked against an independent hand-written reference of
// PyTorch's update (torch.optim.SGD / Adam / AdamW, torch.nn.utils.clip_grad_norm_) in double.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/algorithms/async_sgd.hpp"
#include "sim/algorithms/inner_optimizer.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::InnerOptimizer;
using sgdsim::InnerOptimizerKind;
using sgdsim::LocalSgd;
using sgdsim::MomentumSync;
using sgdsim::TrainingProblem;
using sgdsim::testing::OwnedSampler;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;

const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 0, .data_seed = 31, .partition_seed = 7, .init_seed = 3, .run_seed = 99};

struct Problem : sgdsim::testing::SyntheticProblem<double> {
  Problem() : sgdsim::testing::SyntheticProblem<double>(kProblemOptions) {}
};

// The stream worker w's optimizer draws its batches from.
OwnedSampler sampler_of(const TrainingProblem<double>& p, int worker, std::int64_t batch) {
  return OwnedSampler(p.shards[worker], batch, sgdsim::derive_seed(p.seed, "batches", worker));
}

AlgorithmSpec adam_spec(InnerOptimizerKind kind, double lr, double weight_decay) {
  AlgorithmSpec spec;
  spec.optimizer = kind;
  spec.lr = lr;
  spec.batch_size = 8;
  spec.beta1 = 0.8;  // not the defaults, so that a swapped β shows
  spec.beta2 = 0.95;
  spec.epsilon = 1e-6;
  spec.weight_decay = weight_decay;
  return spec;
}

// torch.optim.Adam (decoupled = false) or AdamW (true), one parameter tensor, written out.
struct AdamReference {
  double lr, beta1, beta2, epsilon, weight_decay;
  bool decoupled;
  Vector m, v;
  int t = 0;

  void step(Vector& x, Vector g) {
    if (decoupled) {
      x *= 1.0 - lr * weight_decay;
    } else {
      g += weight_decay * x;
    }
    ++t;
    m = beta1 * m + (1.0 - beta1) * g;
    v = beta2 * v + (1.0 - beta2) * g.cwiseProduct(g);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double m_hat = m[i] / (1.0 - std::pow(beta1, t));
      const double v_hat = v[i] / (1.0 - std::pow(beta2, t));
      x[i] -= lr * m_hat / (std::sqrt(v_hat) + epsilon);
    }
  }
};

double relative_difference(const Vector& a, const Vector& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

std::vector<int> both_workers() {
  return {0, 1};
}

// A least-squares pull towards c on the first three entries; the fourth is model state that each
// training step increments by one (like a batch-norm counter) and that has no gradient.
class StatefulObjective final : public sgdsim::Objective<double> {
 public:
  Eigen::Index num_params() const override { return 4; }
  Eigen::Index num_state() const override { return 1; }
  double loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>&,
                           const Eigen::Ref<const Vector>&, Vector& grad) const override {
    grad = Vector::Zero(4);
    grad.head(3) = params.head(3) - target();
    return 0.5 * grad.squaredNorm();
  }
  double training_loss_and_gradient(Vector& params, const Eigen::Ref<const Matrix>& features,
                                    const Eigen::Ref<const Vector>& targets,
                                    Vector& grad) const override {
    params[3] += 1.0;
    return loss_and_gradient(params, features, targets, grad);
  }
  sgdsim::Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>&,
                              const Eigen::Ref<const Vector>&) const override {
    return {0.5 * (params.head(3) - target()).squaredNorm()};
  }
  double flops_per_gradient(Eigen::Index) const override { return 1.0; }
  Vector initial_params(bool, sgdsim::Rng&) const override { return Vector::Constant(4, 2.0); }

 private:
  static Vector target() { return Vector::Constant(3, -1.0); }
};

}  // namespace

TEST_CASE("adam and adamw steps equal torch.optim.Adam and AdamW written out by hand",
          "[sim][optimizer]") {
  const Problem problem;
  const auto p = problem.training(1, 10);
  const int steps = 6;
  struct Case {
    InnerOptimizerKind kind;
    double weight_decay;
  };
  std::vector<Vector> finals;
  for (const Case c : {Case{InnerOptimizerKind::adam, 0.0}, Case{InnerOptimizerKind::adam, 0.1},
                       Case{InnerOptimizerKind::adamw, 0.1}}) {
    INFO("optimizer " << static_cast<int>(c.kind) << ", weight decay " << c.weight_decay);
    const AlgorithmSpec spec = adam_spec(c.kind, 0.05, c.weight_decay);
    const InnerOptimizer<double> optimizer(spec, true);
    auto state_order = sgdsim::testing::order_of(p.shards[0]);
    auto state = optimizer.initial_state(p, 0, state_order);
    auto sampler = sampler_of(p, 0, spec.batch_size);
    const auto n = p.initial_params.size();
    AdamReference reference{spec.lr,         spec.beta1,        spec.beta2,
                            spec.epsilon,    spec.weight_decay, c.kind == InnerOptimizerKind::adamw,
                            Vector::Zero(n), Vector::Zero(n)};
    Vector x = p.initial_params;
    for (int step = 1; step <= steps; ++step) {
      reference.step(x, problem.gradient(x, sampler.next()));
      REQUIRE(optimizer.step(p, state, step).finite);
      CHECK(relative_difference(state.model, x) < 1e-12);
    }
    CHECK(state.optimizer->step == steps);
    CHECK(relative_difference(state.optimizer->momentum, reference.m) < 1e-12);
    CHECK(relative_difference(state.optimizer->second_moment, reference.v) < 1e-12);
    // Not vacuous: the model moved, by more than the tolerance.
    CHECK(relative_difference(x, p.initial_params) > 1e-3);
    finals.push_back(x);
  }
  // L2 decay and decoupled decay are different updates.
  CHECK(relative_difference(finals[1], finals[0]) > 1e-6);
  CHECK(relative_difference(finals[2], finals[1]) > 1e-6);
}

TEST_CASE("the first adam step moves every coordinate by lr (bias correction)",
          "[sim][optimizer]") {
  // m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
  const Problem problem;
  const auto p = problem.training(1, 10);
  AlgorithmSpec spec = adam_spec(InnerOptimizerKind::adam, 0.01, 0.0);
  spec.epsilon = 1e-12;
  const InnerOptimizer<double> optimizer(spec, true);
  auto state_order = sgdsim::testing::order_of(p.shards[0]);
  auto state = optimizer.initial_state(p, 0, state_order);
  REQUIRE(optimizer.step(p, state, 1).finite);
  const Vector moved = (state.model - p.initial_params).cwiseAbs();
  CHECK(moved.minCoeff() == Approx(0.01).epsilon(1e-6));
  CHECK(moved.maxCoeff() == Approx(0.01).epsilon(1e-6));
}

TEST_CASE("a worker carries an optimizer state only for an optimizer that keeps one",
          "[sim][optimizer]") {
  // Plain sgd keeps nothing between steps: a run of 10⁶ workers holds no buffer per worker.
  const Problem problem;
  const auto p = problem.training(1, 10);
  struct Case {
    InnerOptimizerKind kind;
    double momentum;
    int vectors;
  };
  for (const Case c : {Case{InnerOptimizerKind::sgd, 0.0, 0}, Case{InnerOptimizerKind::sgd, 0.9, 1},
                       Case{InnerOptimizerKind::adam, 0.0, 2}}) {
    INFO("optimizer " << static_cast<int>(c.kind) << ", momentum " << c.momentum);
    AlgorithmSpec spec = adam_spec(c.kind, 0.05, 0.0);
    spec.momentum = c.momentum;
    const InnerOptimizer<double> optimizer(spec, true);
    CHECK(optimizer.state_vectors() == c.vectors);
    auto order = sgdsim::testing::order_of(p.shards[0]);
    auto state = optimizer.initial_state(p, 0, order);
    REQUIRE((state.optimizer != nullptr) == (c.vectors > 0));
    if (c.vectors > 0) {
      CHECK(state.optimizer->momentum.size() == p.initial_params.size());
      CHECK(state.optimizer->second_moment.size() ==
            (c.vectors == 2 ? p.initial_params.size() : 0));
    }
    // The step reports the mini-batch's loss at the model it started from.
    auto sampler = sampler_of(p, 0, spec.batch_size);
    const auto indices = sampler.next();
    const Vector start = state.model;
    const sgdsim::LocalStepResult result = optimizer.step(p, state, 1);
    CHECK(result.finite);
    CHECK(result.loss == Approx(problem.loss(start, indices)).epsilon(1e-12));
    optimizer.reset(state);
    if (c.vectors > 0) CHECK(state.optimizer->momentum.isZero(0.0));
  }
}

TEST_CASE("sgd weight decay adds λx to the gradient before momentum, as torch.optim.SGD",
          "[sim][optimizer]") {
  const Problem problem;
  const auto p = problem.training(1, 10);
  AlgorithmSpec spec;
  spec.lr = 0.1;
  spec.batch_size = 8;
  spec.momentum = 0.7;
  spec.weight_decay = 0.05;
  for (const bool nesterov : {false, true}) {
    INFO("nesterov " << nesterov);
    spec.nesterov = nesterov;
    const InnerOptimizer<double> optimizer(spec, true);
    auto state_order = sgdsim::testing::order_of(p.shards[0]);
    auto state = optimizer.initial_state(p, 0, state_order);
    auto sampler = sampler_of(p, 0, spec.batch_size);
    Vector x = p.initial_params;
    Vector v = Vector::Zero(x.size());
    for (int step = 1; step <= 6; ++step) {
      const Vector g = problem.gradient(x, sampler.next()) + spec.weight_decay * x;
      v = spec.momentum * v + g;
      x -= spec.lr * (nesterov ? Vector(g + spec.momentum * v) : v);
      REQUIRE(optimizer.step(p, state, step).finite);
    }
    CHECK(relative_difference(state.model, x) < 1e-12);
    // Not vacuous: without decay the result differs.
    AlgorithmSpec plain = spec;
    plain.weight_decay = 0.0;
    const InnerOptimizer<double> no_decay(plain, true);
    auto other_order = sgdsim::testing::order_of(p.shards[0]);
    auto other = no_decay.initial_state(p, 0, other_order);
    for (int step = 1; step <= 6; ++step) REQUIRE(no_decay.step(p, other, step).finite);
    CHECK(relative_difference(other.model, x) > 1e-6);
  }
}

TEST_CASE("clipping scales a gradient above C to norm C and leaves one below it untouched",
          "[sim][optimizer]") {
  Vector above(4);
  above << 3.0, 4.0, 12.0, 0.0;  // norm 13; the last entry stands for model state
  const Vector before = above;
  sgdsim::clip_gradient_norm(above, 3, 2.0);
  CHECK(above.norm() == Approx(2.0).epsilon(1e-6));
  CHECK(above.head(3).normalized().isApprox(before.head(3).normalized(), 1e-15));
  // clip_grad_norm_'s coefficient C/(‖g‖ + 1e-6), exactly.
  CHECK(above[2] == 12.0 * (2.0 / (13.0 + 1e-6)));
  CHECK(above[3] == 0.0);

  Vector below(3);
  below << 0.3, -0.4, 0.0;  // norm 0.5
  const Vector copy = below;
  sgdsim::clip_gradient_norm(below, 3, 1.0);
  CHECK(below == copy);
  sgdsim::clip_gradient_norm(above, 3, 0.0);  // C = 0: off
  CHECK(above.norm() == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("a clipped local step is the step on the clipped gradient", "[sim][optimizer]") {
  const Problem problem;
  const auto p = problem.training(1, 10);
  AlgorithmSpec spec;
  spec.lr = 0.5;
  spec.batch_size = 8;
  spec.clip_norm = 0.05;
  const InnerOptimizer<double> optimizer(spec, true);
  auto state_order = sgdsim::testing::order_of(p.shards[0]);
  auto state = optimizer.initial_state(p, 0, state_order);
  auto sampler = sampler_of(p, 0, spec.batch_size);
  Vector x = p.initial_params;
  int clipped = 0;
  for (int step = 1; step <= 5; ++step) {
    Vector g = problem.gradient(x, sampler.next());
    const double norm = g.norm();
    if (norm > spec.clip_norm) {
      g *= spec.clip_norm / (norm + 1e-6);
      ++clipped;
    }
    x -= spec.lr * g;
    REQUIRE(optimizer.step(p, state, step).finite);
  }
  CHECK(clipped > 0);  // not vacuous
  CHECK(relative_difference(state.model, x) < 1e-12);
}

TEST_CASE("adam's state is averaged, kept or reset at rounds as momentum_sync says",
          "[sim][optimizer]") {
  const Problem problem;
  const int workers = 2;
  const std::int64_t steps = 9;
  const std::int64_t interval = 3;
  for (const MomentumSync sync :
       {MomentumSync::average, MomentumSync::local, MomentumSync::reset}) {
    INFO("momentum_sync " << static_cast<int>(sync));
    const auto p = problem.training(workers, steps);
    AlgorithmSpec spec = adam_spec(InnerOptimizerKind::adamw, 0.05, 0.01);
    spec.interval = interval;
    spec.momentum_sync = sync;
    LocalSgd<double> algorithm(p, spec);
    CHECK(algorithm.rounds().payload_bytes() == static_cast<double>(p.initial_params.size()) * 8 *
                                                    (sync == MomentumSync::average ? 3 : 1));

    std::vector<OwnedSampler> samplers;
    samplers.push_back(sampler_of(p, 0, 8));
    samplers.push_back(sampler_of(p, 1, 8));
    const auto n = p.initial_params.size();
    std::vector<AdamReference> reference(
        workers, AdamReference{spec.lr, spec.beta1, spec.beta2, spec.epsilon, spec.weight_decay,
                               true, Vector::Zero(n), Vector::Zero(n)});
    std::vector<Vector> x(workers, p.initial_params);
    for (std::int64_t step = 1; step <= steps; ++step) {
      for (int w = 0; w < workers; ++w) {
        reference[w].step(x[w], problem.gradient(x[w], samplers[w].next()));
        REQUIRE(algorithm.local_step(w, step));
      }
      if (step % interval != 0) continue;
      REQUIRE(algorithm.rounds().synchronizes_after(step));
      algorithm.synchronize(step, both_workers());
      const Vector x_mean = (x[0] + x[1]) / 2;
      const Vector m_mean = (reference[0].m + reference[1].m) / 2;
      const Vector v_mean = (reference[0].v + reference[1].v) / 2;
      for (auto& r : reference) {
        if (sync == MomentumSync::average) {
          r.m = m_mean;
          r.v = v_mean;
        } else if (sync == MomentumSync::reset) {
          r.m.setZero();
          r.v.setZero();
          r.t = 0;
        }
      }
      x = {x_mean, x_mean};
    }
    const auto& s0 = algorithm.worker_state(0);
    const auto& s1 = algorithm.worker_state(1);
    for (int w = 0; w < workers; ++w) {
      CHECK(relative_difference(algorithm.replica(w), x[w]) < 1e-12);
      CHECK(algorithm.worker_state(w).optimizer->step == reference[w].t);
    }
    switch (sync) {
      case MomentumSync::average:
        CHECK(s0.optimizer->momentum == s1.optimizer->momentum);
        CHECK(s0.optimizer->second_moment == s1.optimizer->second_moment);
        CHECK(s0.optimizer->step == steps);  // kept: every worker took the same steps
        break;
      case MomentumSync::local:
        CHECK(relative_difference(s0.optimizer->momentum, s1.optimizer->momentum) > 1e-3);
        CHECK(relative_difference(s0.optimizer->second_moment, s1.optimizer->second_moment) > 1e-3);
        CHECK(relative_difference(s0.optimizer->momentum, reference[0].m) < 1e-12);
        CHECK(s0.optimizer->step == steps);
        break;
      case MomentumSync::reset:
        CHECK(s0.optimizer->momentum.isZero(0.0));
        CHECK(s1.optimizer->second_moment.isZero(0.0));
        CHECK(s0.optimizer->step == 0);
        break;
    }
  }
}

TEST_CASE("weight decay and clipping never touch the model-state entries", "[sim][optimizer]") {
  const StatefulObjective objective;
  sgdsim::TrainTestData<double> data;
  data.train.features = Matrix::Zero(1, 8);
  data.train.targets = Vector::Zero(8);
  TrainingProblem<double> p;
  p.objective = &objective;
  p.data = &data;
  p.shards = sgdsim::Partition({{0, 1, 2, 3, 4, 5, 6, 7}});
  sgdsim::Rng rng(1);
  p.initial_params = objective.initial_params(true, rng);
  p.steps = 5;
  for (const InnerOptimizerKind kind :
       {InnerOptimizerKind::sgd, InnerOptimizerKind::adam, InnerOptimizerKind::adamw}) {
    INFO("optimizer " << static_cast<int>(kind));
    AlgorithmSpec spec;
    spec.optimizer = kind;
    spec.lr = 0.1;
    spec.batch_size = 2;
    spec.momentum = kind == InnerOptimizerKind::sgd ? 0.5 : 0.0;
    spec.weight_decay = 0.3;
    spec.clip_norm = 0.5;
    const InnerOptimizer<double> optimizer(spec, true);
    auto state_order = sgdsim::testing::order_of(p.shards[0]);
    auto state = optimizer.initial_state(p, 0, state_order);
    for (int step = 1; step <= 5; ++step) REQUIRE(optimizer.step(p, state, step).finite);
    // The state entry moved only by the training step's own update (one per step).
    CHECK(state.model[3] == 2.0 + 5.0);
    CHECK(state.model.head(3).maxCoeff() < 2.0);  // the trainable entries did train
  }
}

TEST_CASE("async_sgd's workers clip and decay their gradients as a local sgd step does",
          "[sim][optimizer]") {
  // One asynchronous worker is plain SGD, so it must match the inner optimizer's sgd step.
  const Problem problem;
  const auto p = problem.training(1, 10);
  AlgorithmSpec spec;
  spec.kind = sgdsim::AlgorithmKind::async_sgd;
  spec.lr = 0.3;
  spec.batch_size = 8;
  spec.weight_decay = 0.2;
  spec.clip_norm = 0.05;
  sgdsim::AsyncSgd<double> async(p, spec);
  const InnerOptimizer<double> optimizer(spec, false);
  auto state_order = sgdsim::testing::order_of(p.shards[0]);
  auto state = optimizer.initial_state(p, 0, state_order);
  for (int step = 1; step <= 5; ++step) {
    async.pull(0);
    REQUIRE(async.compute_gradient(0));
    REQUIRE(async.apply(0, step).finite);
    REQUIRE(optimizer.step(p, state, step).finite);
  }
  CHECK(relative_difference(async.server_model(), state.model) < 1e-14);
  CHECK(relative_difference(state.model, p.initial_params) > 1e-3);
}

TEST_CASE("an optimizer without a place for its state refuses adam", "[sim][optimizer]") {
  const AlgorithmSpec spec = adam_spec(InnerOptimizerKind::adam, 0.01, 0.0);
  CHECK_THROWS_AS(InnerOptimizer<double>(spec, false), std::invalid_argument);
  AlgorithmSpec sgd;
  sgd.momentum = 0.9;
  CHECK_FALSE(InnerOptimizer<double>(sgd, false).has_state());
}

TEST_CASE("warm-up rises linearly to γ at step W, then the kind's schedule runs on t − W",
          "[sim][optimizer][lr_schedule]") {
  AlgorithmSpec spec;
  spec.lr = 0.4;
  spec.lr_schedule.warmup_steps = 4;
  CHECK(spec.lr_at(1) == Approx(0.1));
  CHECK(spec.lr_at(2) == Approx(0.2));
  CHECK(spec.lr_at(4) == 0.4);
  CHECK(spec.lr_at(5) == 0.4);
  CHECK(spec.lr_at(1000) == 0.4);

  spec.lr_schedule.kind = "step";
  spec.lr_schedule.every = 10;
  spec.lr_schedule.factor = 0.5;
  CHECK(spec.lr_at(3) == Approx(0.3));
  CHECK(spec.lr_at(14) == 0.4);  // t' = 10
  CHECK(spec.lr_at(15) == 0.2);  // t' = 11
}

TEST_CASE("cosine decay follows γ_min + (γ − γ_min)(1 + cos(π t'/T'))/2 after the warm-up",
          "[sim][optimizer][lr_schedule]") {
  AlgorithmSpec spec;
  spec.lr = 1.0;
  spec.lr_schedule.kind = "cosine";
  spec.lr_schedule.min_lr = 0.1;
  spec.lr_schedule.total_steps = 110;
  spec.lr_schedule.warmup_steps = 10;  // T' = 100
  const double pi = std::acos(-1.0);
  const auto formula = [&](double t_after) {
    return 0.1 + 0.9 * (1.0 + std::cos(pi * t_after / 100.0)) / 2.0;
  };
  CHECK(spec.lr_at(5) == Approx(0.5));
  CHECK(spec.lr_at(10) == 1.0);
  CHECK(spec.lr_at(11) == Approx(formula(1)));
  CHECK(spec.lr_at(35) == Approx(formula(25)));
  CHECK(spec.lr_at(60) == Approx(0.55));  // half-way
  CHECK(spec.lr_at(110) == Approx(0.1));  // the last step reaches γ_min
  spec.lr_schedule.warmup_steps = 0;
  spec.lr_schedule.total_steps = 100;
  CHECK(spec.lr_at(50) == Approx(0.55));
}

TEST_CASE("slowmo's outer step uses the warmed-up γ of each round's last step",
          "[sim][optimizer][lr_schedule]") {
  // One worker, so x̄ is its replica: u ← βu + Δ/γ_t, x ← x_start − α·γ_t·u, γ_t = lr_at(t).
  const Problem problem;
  const std::int64_t interval = 3;
  const auto p = problem.training(1, 12);
  AlgorithmSpec spec;
  spec.kind = sgdsim::AlgorithmKind::slowmo;
  spec.interval = interval;
  spec.lr = 0.2;
  spec.batch_size = 8;
  spec.outer_lr = 1.5;
  spec.outer_momentum = 0.5;
  spec.lr_schedule.warmup_steps = 8;  // γ differs from round to round
  LocalSgd<double> algorithm(p, spec);
  Vector u = Vector::Zero(p.initial_params.size());
  for (std::int64_t step = 1; step <= 12; ++step) {
    REQUIRE(algorithm.local_step(0, step));
    if (step % interval != 0) continue;
    const Vector start = algorithm.consensus();
    const Vector average = algorithm.replica(0);
    const double lr = spec.lr_at(step);
    u = spec.outer_momentum * u + (start - average) / lr;
    algorithm.synchronize(step, {0});
    const Vector expected = start - spec.outer_lr * lr * u;
    CHECK(relative_difference(algorithm.replica(0), expected) < 1e-12);
  }
  CHECK(spec.lr_at(3) != spec.lr_at(6));  // not vacuous
}
