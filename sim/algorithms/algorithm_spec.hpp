// What a scenario says about the training algorithm. Plain data: the scenario loader fills and
// validates it; algorithms read it.
#pragma once

#include <cstdint>
#include <string>

namespace sgdsim {

enum class MomentumSync {
  average,  // restarts average the momentum buffers with the models (Yu, Jin & Yang 2019)
  local,    // each worker keeps its own buffer across restarts
  reset,    // buffers restart from zero after every averaging
};

struct LrSchedule {
  std::string kind = "constant";  // constant | step
  std::int64_t every = 0;         // step: multiply the rate by `factor` after every `every` steps
  double factor = 1.0;
};

struct AlgorithmSpec {
  std::string kind = "local_sgd";
  std::int64_t interval = 1;     // I: average every I local steps
  double lr = 0.05;              // γ
  std::int64_t batch_size = 32;  // 0 = the worker's whole shard
  double momentum = 0.0;         // heavy-ball coefficient μ
  MomentumSync momentum_sync = MomentumSync::average;
  LrSchedule lr_schedule;

  // γ for the step-th local step (1-based).
  double lr_at(std::int64_t step) const;
};

}  // namespace sgdsim
