// A network with batch norm under mpirun: each rank's workers move their own running statistics
// and the rounds average them across ranks with the parameters, so a real run (ordered reduction)
// ends with the simulated run's model to the bit, statistics included.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/files.hpp"
#include "tests/support/mpirun.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace sgdsim::testing;

TEST_CASE("a real run of a batch-norm network equals the simulated run's bits (ordered reduction)",
          "[real][nn]") {
  TempDir dir("real_model_state");
  write_file(dir / "s.yaml",
             "name: real_bn\nseed: 5\nworkers: 4\nsteps: 12\nprecision: float64\n"
             "algorithm: {kind: local_sgd, interval: 3, lr: 0.05, batch_size: 8, momentum: 0.9}\n"
             "model:\n  kind: sequential\n  input_shape: [3, 4, 4]\n  layers:\n"
             "    - {type: conv2d, channels: 4, kernel: 3, padding: 1, bias: false}\n"
             "    - {type: batch_norm}\n    - {type: relu}\n    - {type: global_avg_pool}\n"
             "    - {type: dense, units: 3}\n"
             "data: {kind: synthetic, samples: 400, test_samples: 100, features: 48, classes: 3}\n"
             "compute: {kind: constant, mean: 1ms}\neval: {every: 4}\n");
  const fs::path sim = dir / "sim";
  REQUIRE(
      simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(sim)).exit_code ==
      0);
  const fs::path real = dir / "real";
  const Result r = mpirun(dir, 2,
                          "run " + quoted(dir / "s.yaml") +
                              " --real --reduction ordered --quiet --out " + quoted(real));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(summary_of(real)["executor"] == "real");
  const std::string model = read_file(sim / "model.csv");
  CHECK(read_file(real / "model.csv") == model);
  CHECK(metrics_without_time(real / "metrics.csv") == metrics_without_time(sim / "metrics.csv"));
  // The last 8 values are the running means and variances: they moved from (0, 1).
  const auto last_line = model.substr(model.rfind('\n', model.size() - 2) + 1);
  CHECK(std::stod(last_line) != 1.0);
}
