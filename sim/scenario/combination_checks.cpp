#include "sim/scenario/combination_checks.hpp"

#include "sim/algorithms/registry.hpp"

#include <fmt/format.h>

#include <string>

namespace sgdsim {

// A step of mean length c survives failures of mean gap m with probability e^{−c/m}: past
// c/m = 20 (1 in 5·10⁸) no step would ever complete, and the run would spin through failures.
// Compute kinds whose mean is known only once data are read (empirical, flops) are caught by the
// run's own stall detection instead.
void check_progress_possible(yaml::Section& s, const Scenario& scenario) {
  const auto& mtbf = scenario.availability.mean_time_between_failures;
  const std::string& kind = scenario.compute.kind;
  if (!mtbf || mtbf->ns() <= 0 || kind == "empirical" || kind == "flops") return;
  const double ratio = scenario.compute.mean.seconds() / mtbf->seconds();
  if (ratio > 20.0) {
    s.error("mtbf", fmt::format("a worker fails every {} s on average, but a step takes {} s "
                                "(compute.mean): a step would complete with probability e^-{:.3g}, "
                                "so the run could not progress; mtbf must exceed compute.mean/20",
                                mtbf->seconds(), scenario.compute.mean.seconds(), ratio));
  }
}

void resolve_overlap_momentum(yaml::Section& top, Scenario& scenario) {
  AlgorithmSpec& a = scenario.algorithm;
  if (!scenario.network.overlap || a.momentum_sync == MomentumSync::local) return;
  auto algorithm = top.section("algorithm");
  if (algorithm && algorithm->has("momentum_sync")) {
    algorithm->error("momentum_sync",
                     fmt::format("{} is not modelled with network.overlap, whose rounds average "
                                 "models in flight and leave the momentum buffers local; use "
                                 "local",
                                 a.momentum_sync == MomentumSync::average ? "average" : "reset"));
    return;
  }
  a.momentum_sync = MomentumSync::local;
}

void check_algorithm_capabilities(yaml::Section& top, const Scenario& scenario) {
  const AlgorithmInfo& info = algorithm_info(scenario.algorithm.kind);
  const bool failures = scenario.availability.enabled();
  const bool overlap = scenario.network.overlap;
  if (overlap && failures) {
    top.section("network")->error(
        "overlap", "overlapping averaging with failing workers is not modelled; drop one of them");
  } else if (overlap && !info.can.overlap) {
    top.section("network")->error(
        "overlap", fmt::format("overlapped averaging is modelled for {}, not {}",
                               kinds_with(&AlgorithmCapabilities::overlap, " and "), info.name));
  }
  if (failures && !info.can.failures) {
    top.error("availability",
              fmt::format("failing workers are modelled for {}, not {}",
                          kinds_with(&AlgorithmCapabilities::failures, " and "), info.name));
  }
  if (overlap && scenario.algorithm.interval_schedule.kind == IntervalKind::adaptive) {
    // Overlapped rounds let workers run past a round before its loss is known.
    top.section("algorithm")->error("interval", "adaptive needs network.overlap: false");
  }
  if (scenario.algorithm.while_waiting == WhileWaiting::local_steps && (failures || overlap)) {
    top.section("algorithm")
        ->error("while_waiting",
                "local_steps is modelled without failures and without network.overlap");
  }
}

void resolve_group_size(yaml::Section& top, Scenario& scenario) {
  AlgorithmSpec& a = scenario.algorithm;
  if (a.kind != AlgorithmKind::hierarchical_local_sgd || a.group_size > 0) return;
  auto algorithm = top.section("algorithm");
  if (algorithm && algorithm->has("group_size")) return;  // given, and reported if invalid
  if (scenario.network.topology == "two_level") {
    a.group_size = scenario.network.workers_per_node;
  } else if (algorithm) {
    algorithm->error("group_size",
                     fmt::format("missing: the workers per group (it defaults to "
                                 "network.workers_per_node only on topology two_level, not {})",
                                 scenario.network.topology));
  }
}

// x̄_t is the average of every worker's model after its t-th step: defined when every round
// includes every worker and each worker's t-th step is one step.
void check_step_averages(yaml::Section& s, const Scenario& scenario) {
  const AlgorithmSpec& a = scenario.algorithm;
  std::string why;
  if (!algorithm_info(a.kind).can.rounds) {
    why = fmt::format("{} has no common step t at which to average the workers",
                      algorithm_name(a.kind));
  } else if (a.kind == AlgorithmKind::fedavg && a.clients_per_round < scenario.workers) {
    why = "fedavg's sampled rounds leave workers out";
  } else if (scenario.availability.enabled()) {
    why = "failing workers leave rounds";
  } else if (scenario.network.overlap) {
    why = "with network.overlap a worker's model at step t still lacks the average in flight";
  } else if (a.while_waiting == WhileWaiting::local_steps) {
    why = "while_waiting: local_steps takes several steps at a round's step";
  }
  if (!why.empty()) {
    s.error("step_averages", fmt::format("needs every worker at every step t, but {}", why));
  }
}

}  // namespace sgdsim
