// SynchronousRun's measurements: which steps are measured, the averaged model's metrics rows, the
// step averages of Theorem 1 and divergence found at a measurement. See synchronous_run.hpp.
#include "sim/run/synchronous_run.hpp"

namespace sgdsim {

bool SynchronousRun::is_eval_step(std::int64_t step) const {
  return step == algorithm_.steps() || (eval_every_ > 0 && step % eval_every_ == 0);
}

// Without failures: at evaluation steps that end a round. With failures: at the first round end
// at or after each evaluation step.
bool SynchronousRun::measures_after_round(std::int64_t step,
                                          std::int64_t previous_round_step) const {
  if (!partial_rounds_ || step == algorithm_.steps()) return is_eval_step(step);
  return eval_every_ > 0 && step / eval_every_ > previous_round_step / eval_every_;
}

void SynchronousRun::measure(std::int64_t step) {
  MetricsRow row;
  row.step = step;
  row.time = engine_.now();
  row.comm_rounds = result_.comm_rounds;
  row.bytes_sent = result_.bytes_sent;
  row.model = probe_.measure(step);
  if (diverged_at_measurement(step, row.model)) return;
  if (averages_step(step)) result_.step_averages->add(row.model);
  result_.last_metrics = row;
  observer_.on_metrics(row);
}

// An interrupted run ends with a row for the model it holds, the latest round's average (what
// model.csv gets), at that round's step and time, unless a later step was measured already.
void SynchronousRun::measure_where_stopped() {
  const std::int64_t measured = result_.last_metrics ? result_.last_metrics->step : -1;
  if (last_round_step_ <= measured) return;
  MetricsRow row;
  row.step = last_round_step_;
  row.time = last_round_time_;
  row.comm_rounds = rounds_at_last_round_;
  row.bytes_sent = bytes_at_last_round_;
  row.model = probe_.measure(last_round_step_);
  if (!row.model.finite()) return;  // the run was stopped, not diverged: no row rather than NaN
  result_.last_metrics = row;
  observer_.on_metrics(row);
}

// x̄_T is not part of the paper's average (1/T)·Σ_{t=0}^{T−1}.
bool SynchronousRun::averages_step(std::int64_t step) const {
  return step_averages_ && step < algorithm_.steps();
}

void SynchronousRun::measure_step_average(std::int64_t step) {
  const ModelMetrics model = probe_.measure(step, MeasureScope::train_only);
  if (diverged_at_measurement(step, model)) return;
  result_.step_averages->add(model);
}

// A model that is not finite is reported as a divergence, never written out as numbers.
bool SynchronousRun::diverged_at_measurement(std::int64_t step, const ModelMetrics& model) {
  if (model.finite()) return false;
  result_.status = RunStatus::diverged;
  result_.diverged_step = step;
  result_.diverged_worker = -1;
  engine_.stop();
  return true;
}

}  // namespace sgdsim
