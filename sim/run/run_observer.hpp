// Callbacks through which a run reports what happens; output sinks (CSV, JSON, trace, progress)
// implement the ones they need.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/algorithms/model_metrics.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct MetricsRow {
  std::int64_t step = 0;
  SimTime time;
  std::int64_t comm_rounds = 0;
  double bytes_sent = 0.0;
  ModelMetrics model;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_compute(int /*worker*/, std::int64_t /*step*/, SimTime /*start*/,
                          SimTime /*end*/) {}
  virtual void on_wait(int /*worker*/, SimTime /*start*/, SimTime /*end*/) {}
  virtual void on_outage(int /*worker*/, SimTime /*start*/, SimTime /*end*/) {}
  // `participants`: the workers averaging (sorted), which at hierarchical group rounds are one
  // group; empty where the driver does not say (every worker is drawn).
  virtual void on_collective(std::int64_t /*round*/, SimTime /*start*/, const CollectiveCost&,
                             const std::vector<int>& /*participants*/) {}
  virtual void on_metrics(const MetricsRow&) {}
};

// Keeps the metrics rows (a run held in memory).
class MetricsRecorder final : public RunObserver {
 public:
  void on_metrics(const MetricsRow& row) override { rows.push_back(row); }
  std::vector<MetricsRow> rows;
};

// Forwards every callback to each observer in turn.
class ObserverList final : public RunObserver {
 public:
  void add(RunObserver* observer) { observers_.push_back(observer); }

  void on_compute(int worker, std::int64_t step, SimTime start, SimTime end) override {
    for (auto* o : observers_) o->on_compute(worker, step, start, end);
  }
  void on_wait(int worker, SimTime start, SimTime end) override {
    for (auto* o : observers_) o->on_wait(worker, start, end);
  }
  void on_outage(int worker, SimTime start, SimTime end) override {
    for (auto* o : observers_) o->on_outage(worker, start, end);
  }
  void on_collective(std::int64_t round, SimTime start, const CollectiveCost& cost,
                     const std::vector<int>& participants) override {
    for (auto* o : observers_) o->on_collective(round, start, cost, participants);
  }
  void on_metrics(const MetricsRow& row) override {
    for (auto* o : observers_) o->on_metrics(row);
  }

 private:
  std::vector<RunObserver*> observers_;
};

}  // namespace sgdsim
