// What `sgdsim calibrate` writes: a cluster file that a scenario's `cluster:` includes, with its
// provenance (where, when, on how many ranks, how well the fits fit) in comments, the measured
// step times beside it as an `empirical` CSV, and the measured collective times as a CSV.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/calibration/link_fit.hpp"
#include "sim/calibration/piecewise_fit.hpp"
#include "sim/calibration/step_time_fit.hpp"
#include "sim/cluster/network.hpp"

namespace sgdsim {

struct NetworkCalibration {
  NetworkSpec network;  // the scenario's topology and collective, with the fitted by_size
  PiecewiseFit fit;
  PredictionCheck check;
  double check_limit = 0.05;  // the stated error the check holds the prediction to
};

struct ComputeCalibration {
  std::vector<double> step_seconds;  // every rank's, warm-up steps left out
  StepTimeFit fit;
  int steps_per_worker = 0;
  int warmup_steps = 0;
  std::string what;  // e.g. "mlp [128] on fashion_mnist, batch 32, float32"
};

struct Calibration {
  std::string created_utc;  // ISO 8601
  std::string command;
  std::vector<std::string> hosts;  // per rank
  int ranks = 0;
  std::optional<NetworkCalibration> network;
  std::optional<ComputeCalibration> compute;
};

// The cluster file; `steps_csv` is the step-time CSV's name, relative to the cluster file.
std::string cluster_file_text(const Calibration& calibration, const std::string& steps_csv);
// `step_time_s` per row.
std::string step_times_csv(const std::vector<double>& seconds);
// bytes, measured_s, fitted_s (the piece's line), predicted_s (sgdsim's network), error.
std::string collective_times_csv(const NetworkCalibration& network);

}  // namespace sgdsim
