// data.augment under mpirun: a real run crops and flips each worker's mini-batches exactly as the
// simulation does, since both executors take the same local step (sim/algorithms/inner_optimizer).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/cifar10_files.hpp"
#include "tests/support/files.hpp"
#include "tests/support/mpirun.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace sgdsim::testing;

TEST_CASE("a real run with data.augment equals the simulated run's bits (ordered reduction)",
          "[real][augment]") {
  TempDir dir("real_augment");
  write_cifar10_dir(dir / "cifar", 8);
  write_file(dir / "s.yaml",
             "name: real_augment\nseed: 3\nworkers: 4\nsteps: 12\n"
             "algorithm: {kind: local_sgd, interval: 3, lr: 0.05, batch_size: 4}\n"
             "model: {kind: softmax}\n"
             "data: {kind: cifar10, path: cifar, augment: {crop_padding: 4, flip: true}}\n"
             "compute: {kind: constant, mean: 1ms}\neval: {every: 4}\n");
  const fs::path sim = dir / "sim";
  const fs::path plain = dir / "plain";
  REQUIRE(
      simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(sim)).exit_code ==
      0);
  REQUIRE(simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(plain) +
                            sets({"data.augment={crop_padding: 0, flip: false}"}))
              .exit_code == 0);
  CHECK(read_file(plain / "model.csv") != read_file(sim / "model.csv"));  // augmentation acted
  const fs::path real = dir / "real";
  const Result r = mpirun(dir, 2,
                          "run " + quoted(dir / "s.yaml") +
                              " --real --reduction ordered --quiet --out " + quoted(real));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(summary_of(real)["executor"] == "real");
  CHECK(summary_of(real)["real"]["ranks"] == 2);
  CHECK(read_file(real / "model.csv") == read_file(sim / "model.csv"));
  CHECK(metrics_without_time(real / "metrics.csv") == metrics_without_time(sim / "metrics.csv"));
}
