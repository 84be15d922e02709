// `sgdsim calibrate` (MPI builds): see calibrate_command.cpp.
#pragma once

#include <string>
#include <vector>

namespace sgdsim::cli {

struct CalibrateOptions {
  std::string out;           // the cluster file; FILE.steps.csv and FILE.allreduce.csv beside it
  std::string command_line;  // for the provenance comment
  bool network = true;
  bool compute = true;
  int steps = 100;  // measured local steps per worker, after the warm-up ones
  int warmup_steps = 10;
  double min_bytes = 8;
  double max_bytes = 64.0 * 1024 * 1024;
  double size_factor = 2.0;  // each size this many times the previous
  double seconds_per_size = 0.25;
  double gap_seconds = 0.0;  // idle before each timed call (0: calls back to back, in batches)
  int max_pieces = 6;
  double tolerance = 0.03;    // the fewest bands whose largest residual is within this
  double check_limit = 0.05;  // the prediction check fails (exit 1) beyond this
  bool quiet = false;
};

int calibrate_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                      const CalibrateOptions& options);

}  // namespace sgdsim::cli
