// What a scenario says about the training algorithm. Plain data: the scenario loader fills and
// validates it; algorithms read it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sgdsim {

// What a round does to the inner optimizer's state (the heavy-ball buffer; Adam's m and v).
enum class MomentumSync {
  average,  // restarts average the state with the models (Yu, Jin & Yang 2019); Adam's t is kept
  local,    // each worker keeps its own state across restarts
  reset,    // the state restarts from zero after every averaging (Adam: t = 0 too)
};

// algorithm.optimizer: the workers' local update rule.
enum class InnerOptimizerKind {
  sgd,    // plain, heavy-ball or Nesterov SGD (torch.optim.SGD)
  adam,   // torch.optim.Adam: weight decay is L2 added to the gradient
  adamw,  // torch.optim.AdamW: weight decay decoupled, x ← x − γλx before the Adam step
};

// γ_t for step t (1-based): a linear warm-up over the first `warmup_steps`, then the kind's
// schedule over the steps after it (see AlgorithmSpec::lr_at).
struct LrSchedule {
  std::string kind = "constant";  // constant | step | cosine
  std::int64_t every = 0;         // step: multiply the rate by `factor` after every `every` steps
  double factor = 1.0;
  std::int64_t warmup_steps = 0;  // W: γ·t/W for t ≤ W; 0 = none
  double min_lr = 0.0;            // cosine: γ_min, reached at the last step
  std::int64_t total_steps = 0;   // cosine: T, the run's steps (set by the scenario loader)
};

// When workers synchronise: `algorithm.interval` in a scenario. The last step always does.
enum class IntervalKind {
  fixed,       // every `AlgorithmSpec::interval` steps
  theory,      // fixed, with I = max(1, ⌊c_I·T^{1/4}/N^{3/4}⌋) resolved by the loader
  post_local,  // after every step t ≤ t₀, then after every t with (t − t₀) % H == 0
  adaptive,    // AdaComm-style: I shrinks from I₀ as the training loss falls
  list,        // piecewise-constant: (from_step, interval) phases
};

struct IntervalPhase {
  std::int64_t from_step = 0;  // the phase covers steps t > from_step (up to the next phase)
  std::int64_t interval = 1;   // synchronise after t with (t − from_step) % interval == 0
};

struct IntervalScheduleSpec {
  IntervalKind kind = IntervalKind::fixed;
  double interval_constant = 1.0;     // theory: c_I
  std::int64_t switch_step = 0;       // post_local: t₀
  std::int64_t local_interval = 1;    // post_local: H
  std::int64_t initial = 1;           // adaptive: I₀
  std::int64_t minimum = 1;           // adaptive: the interval never falls below this
  std::vector<IntervalPhase> phases;  // list: first from_step 0, from_steps strictly increasing
};

// What a worker that reached a round's step does until the slowest worker gets there.
enum class WhileWaiting {
  idle,         // waits at the barrier (PR-SGD)
  local_steps,  // keeps taking local steps (Yu, Yang & Zhu 2019, heterogeneous networks)
};

// How a round's average weighs the workers' models.
enum class Weighting {
  equal,  // x̄ = (1/N)·Σ xᵢ: minimises (1/N)·Σ fᵢ, the mean of the shards' objectives
  samples,  // x̄ = Σ (nᵢ/n)·xᵢ (FedAvg): minimises the pooled training objective Σ (nᵢ/n)·fᵢ
};

// The communication graph of decentralized (gossip) SGD.
enum class GossipGraph { ring, torus, complete };

// algorithm.kind: the rows of algorithm_catalog() (sim/algorithms/registry.hpp), in its order.
enum class AlgorithmKind {
  local_sgd,
  slowmo,
  diloco,
  fedavg,
  easgd,
  gossip,
  async_sgd,
  hierarchical_local_sgd,
};

struct AlgorithmSpec {
  AlgorithmKind kind = AlgorithmKind::local_sgd;
  std::int64_t interval = 1;  // I of a fixed or theory schedule (theory: resolved by the loader)
  double lr = 0.05;           // γ (with lr_theory: resolved by the loader)
  bool lr_theory = false;     // `lr: theory`: γ = c_γ·√(N/T) (Yu, Yang & Zhu 2019, Cor. 1)
  double lr_constant = 1.0;   // c_γ
  IntervalScheduleSpec interval_schedule;
  std::int64_t batch_size = 32;  // 0 = the worker's whole shard
  double momentum = 0.0;         // heavy-ball coefficient μ
  MomentumSync momentum_sync = MomentumSync::average;
  bool nesterov = false;  // x ← x − γ(g + μv) after v ← μv + g
  LrSchedule lr_schedule;
  // The inner optimizer (sgd uses momentum and nesterov; adam and adamw beta1, beta2, epsilon).
  InnerOptimizerKind optimizer = InnerOptimizerKind::sgd;
  double beta1 = 0.9;         // Adam: decay of the first moment m
  double beta2 = 0.999;       // Adam: decay of the second moment v
  double epsilon = 1e-8;      // Adam: added to √v̂
  double weight_decay = 0.0;  // λ: sgd and adam add λx to g; adamw decays x by γλx
  double clip_norm = 0.0;     // C: g ← g·min(1, C/(‖g‖ + 1e-6)) first; 0 = no clipping
  WhileWaiting while_waiting = WhileWaiting::idle;

  // slowmo / diloco: the outer step on the round's averaged update Δ = x_start − x̄.
  double outer_lr = 1.0;        // α (slowmo), η (diloco)
  double outer_momentum = 0.0;  // β (slowmo), μ of the outer Nesterov step (diloco)
  // fedavg: K workers sampled per round; 0 = all N.
  int clients_per_round = 0;
  // local_sgd, slowmo, diloco; fedavg always weighs by samples.
  Weighting weighting = Weighting::equal;
  // easgd: the moving rate α = ηρ of the elastic force between each worker and the centre.
  double elasticity = 0.1;
  // gossip: who averages with whom after every step.
  GossipGraph graph = GossipGraph::ring;
  // hierarchical_local_sgd: groups of `group_size` consecutive workers average every `interval`
  // steps, all workers every `global_interval` (a multiple of it) and after the last step.
  int group_size = 0;  // 0: not resolved yet (the loader defaults it to workers_per_node)
  std::int64_t global_interval = 0;

  // γ for the step-th local step (1-based): γ·t/W during the warm-up t ≤ W, then with t' = t − W
  // constant γ, step γ·f^⌊(t'−1)/K⌋, or cosine γ_min + (γ − γ_min)(1 + cos(π·t'/(T − W)))/2.
  double lr_at(std::int64_t step) const;
};

}  // namespace sgdsim
