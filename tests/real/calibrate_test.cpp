// `mpirun -np R sgdsim calibrate`: measures on real ranks and writes a cluster file that loads.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.hpp"
#include "tests/support/files.hpp"
#include "tests/support/mpirun.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sgdsim::testing;
using Catch::Matchers::Contains;

TEST_CASE("calibrate on 2 ranks writes a cluster file, its step times and its allreduce times",
          "[real][calibration]") {
  TempDir dir("calibrate");
  write_file(dir / "s.yaml", kRealScenario);
  const auto result = mpirun(dir, 2,
                             "calibrate " + quoted(dir / "s.yaml") + " --set workers=2 --out " +
                                 quoted(dir / "c.yaml") +
                                 " --max-bytes 64KiB --seconds-per-size 0.02 --steps 20 "
                                 "--check-limit 10");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const std::string cluster = read_file(dir / "c.yaml");
  CHECK_THAT(cluster, Contains("2 ranks"));
  CHECK_THAT(cluster, Contains("by_size"));
  const auto steps = lines_of(read_file(dir / "c.steps.csv"));
  CHECK(steps.size() == 1 + 2 * 20);  // header, then 20 steps of each of the 2 workers
  const auto sizes = lines_of(read_file(dir / "c.allreduce.csv"));
  CHECK(sizes.size() == 1 + 14);  // 8 B to 64 KiB in doublings
  write_file(dir / "u.yaml",
             "name: u\ncluster: c.yaml\nsteps: 8\n"
             "algorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
             "model: {kind: softmax}\n"
             "data: {kind: synthetic, samples: 100, features: 3, classes: 2}\n");
  const sgdsim::Scenario s = sgdsim::load_scenario_file((dir / "u.yaml").string());
  CHECK(s.workers == 2);
  CHECK(s.compute.kind == "empirical");
  CHECK_FALSE(s.network.by_size.empty());
}

TEST_CASE("calibrate refuses a bad scenario once, on every rank", "[real][calibration]") {
  TempDir dir("calibrate_bad");
  write_file(dir / "s.yaml", kRealScenario);
  const auto result = mpirun(dir, 2,
                             "calibrate " + quoted(dir / "s.yaml") +
                                 " --set model.kind=perceptron --out " + quoted(dir / "c.yaml"));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("model.kind"));
  CHECK_FALSE(std::filesystem::exists(dir / "c.yaml"));
}
