// Real runs under mpirun (sgdsim run --real): the same math as the simulation, measured timing in
// the simulator's formats, and emulated compute. Each test starts its own `mpirun -np R`.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/mpirun.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace sgdsim::testing;
using sgdsim::testing::kRealScenario;

TEST_CASE("with ordered reduction a real run's losses and model equal the simulated run's bits",
          "[real]") {
  TempDir dir("real_math");
  write_file(dir / "s.yaml", kRealScenario);
  const std::vector<std::vector<std::string>> variants = {
      {},
      {"precision=float64"},
      {"algorithm.momentum=0.9", "algorithm.nesterov=true"},
      {"algorithm.momentum=0.9", "algorithm.momentum_sync=reset"},
      {"algorithm.kind=slowmo", "algorithm.outer_momentum=0.5", "algorithm.outer_lr=1.5"},
      {"algorithm.kind=diloco", "algorithm.outer_momentum=0.9", "algorithm.outer_lr=0.7"},
      {"algorithm.kind=fedavg", "algorithm.clients_per_round=3"},
      {"algorithm.weighting=samples", "data.partition=dirichlet", "data.alpha=0.5"},
      {"algorithm.interval={kind: adaptive, initial: 8, minimum: 2}"},
      {"algorithm.interval={kind: post_local, switch_step: 10, interval: 6}"},
      {"algorithm.kind=easgd", "algorithm.elasticity=0.2"},
      {"algorithm.kind=gossip", "algorithm.interval=1"},
      {"workers=6"},
  };
  int index = 0;
  for (const auto& variant : variants) {
    const fs::path sim = dir / ("sim" + std::to_string(index));
    const Result simulated = simulate(
        dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(sim) + sets(variant));
    REQUIRE(simulated.exit_code == 0);
    for (int ranks : {2, 4}) {
      INFO("variant " << index << ", " << ranks << " ranks: " << dir.path().string());
      const fs::path real = dir / ("real" + std::to_string(index) + "_" + std::to_string(ranks));
      const Result r =
          mpirun(dir, ranks,
                 "run " + quoted(dir / "s.yaml") + " --real --reduction ordered --quiet --out " +
                     quoted(real) + sets(variant));
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(read_file(real / "model.csv") == read_file(sim / "model.csv"));
      CHECK(metrics_without_time(real / "metrics.csv") ==
            metrics_without_time(sim / "metrics.csv"));
      const auto summary = summary_of(real);
      CHECK(summary["executor"] == "real");
      CHECK(summary["real"]["ranks"] == ranks);
      CHECK(summary["real"]["hosts"].size() == static_cast<std::size_t>(ranks));
      CHECK(summary["comm_rounds"] == summary_of(sim)["comm_rounds"]);
    }
    ++index;
  }
}

TEST_CASE("the default MPI_Allreduce differs from the simulation by rounding only", "[real]") {
  TempDir dir("real_allreduce");
  write_file(dir / "s.yaml", kRealScenario);
  REQUIRE(simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(dir / "sim"))
              .exit_code == 0);
  const Result r = mpirun(
      dir, 4, "run " + quoted(dir / "s.yaml") + " --real --quiet --out " + quoted(dir / "real"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto a = lines_of(read_file(dir / "sim" / "model.csv"));
  const auto b = lines_of(read_file(dir / "real" / "model.csv"));
  REQUIRE(a.size() == b.size());
  double largest = 0.0;
  for (std::size_t i = 1; i < a.size(); ++i) {
    largest = std::max(largest, std::abs(std::stod(a[i]) - std::stod(b[i])));
  }
  CHECK(largest < 1e-4);  // float32 rounding over 12 rounds, not a different algorithm
}

TEST_CASE("per worker, measured compute + communication + idle = elapsed within 1%", "[real]") {
  TempDir dir("real_times");
  write_file(dir / "s.yaml", kRealScenario);
  for (const auto& [ranks, workers] : {std::pair{2, 4}, std::pair{4, 4}, std::pair{2, 5}}) {
    INFO(ranks << " ranks, " << workers << " workers");
    const fs::path out = dir / ("out" + std::to_string(ranks) + std::to_string(workers));
    const Result r =
        mpirun(dir, ranks,
               "run " + quoted(dir / "s.yaml") + " --real --quiet --out " + quoted(out) +
                   " --set workers=" + std::to_string(workers) +
                   " --set steps=1500 --set data.features=200 --set 'model={kind: mlp, hidden: "
                   "[128]}' --set algorithm.batch_size=64");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = summary_of(out);
    const double elapsed = summary["sim_time_s"];
    REQUIRE(elapsed > 0);
    REQUIRE(summary["per_worker"].size() == static_cast<std::size_t>(workers));
    const auto& rank_elapsed = summary["real"]["rank_elapsed_s"];
    REQUIRE(rank_elapsed.size() == static_cast<std::size_t>(ranks));
    CHECK(rank_elapsed[0].get<double>() == Approx(elapsed).margin(1e-8));  // to the ns
    for (int w = 0; w < workers; ++w) {
      // Blocks of ⌈N/R⌉ workers first, then ⌊N/R⌋.
      const int base = workers / ranks, extra = workers % ranks;
      int rank = 0;
      while (w >= (rank + 1) * base + std::min(rank + 1, extra)) ++rank;
      const auto& t = summary["per_worker"][w];
      const double total = t["compute_s"].get<double>() + t["communication_s"].get<double>() +
                           t["idle_s"].get<double>();
      const double own = rank_elapsed[rank];
      INFO("worker " << w << " on rank " << rank);
      CHECK(std::abs(total - own) <= 0.01 * own);
      CHECK(t["steps"] == 1500);
    }
    CHECK(summary["real"]["measurement_s"].get<double>() > 0);  // x̄ measured, off the clock
    CHECK(fs::exists(out / "trace.json"));
  }
}

TEST_CASE("emulated compute reproduces a scenario's rounds, step times and total time", "[real]") {
  // 40 steps of 20 ms, I = 4: the simulated time is 0.8 s plus ten rounds of a fast network,
  // and shared memory is about as fast.
  TempDir dir("real_emulated");
  write_file(dir / "s.yaml", kRealScenario);
  const std::string fast_network =
      " --set steps=40 --set compute.mean=20ms --set eval.every=0 --set network.latency=5us "
      "--set network.bandwidth=100Gbps";
  // Constant steps; and lognormal ones on 8 workers, 4 to a rank on 2 ranks, where each worker
  // must keep its own timeline for rounds to wait for the slowest worker's sum of draws.
  for (const auto& [settings, ranks] :
       {std::pair{fast_network, 2}, std::pair{fast_network, 4},
        std::pair{fast_network + " --set compute.kind=lognormal --set compute.sigma=0.5 --set "
                                 "workers=8",
                  2}}) {
    INFO(settings << ", " << ranks << " ranks");
    const fs::path sim = dir / ("sim" + std::to_string(ranks) + std::to_string(settings.size()));
    REQUIRE(
        simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(sim) + settings)
            .exit_code == 0);
    const auto simulated = summary_of(sim);
    const fs::path out = dir / ("real" + std::to_string(ranks));
    const Result r = mpirun(dir, ranks,
                            "run " + quoted(dir / "s.yaml") +
                                " --real --emulate-compute --quiet "
                                "--out " +
                                quoted(out) + settings);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto measured = summary_of(out);
    CHECK(measured["comm_rounds"] == simulated["comm_rounds"]);
    const double predicted = simulated["sim_time_s"];
    const double actual = measured["sim_time_s"];
    CHECK(std::abs(actual - predicted) <= 0.05 * predicted);
    CHECK(measured["real"]["emulated_compute"] == true);
    CHECK(measured["real"]["emulation_late_s"].get<double>() < 0.01);  // the draws were kept
    for (std::size_t w = 0; w < measured["per_worker"].size(); ++w) {  // the draws, kept
      CHECK(measured["per_worker"][w]["compute_s"].get<double>() ==
            Approx(simulated["per_worker"][w]["compute_s"].get<double>()).epsilon(0.02));
    }
  }
}

TEST_CASE("keep-stepping rounds run for real: emulated, the simulated extra steps and time",
          "[real]") {
  // Speeds 1, 0.55, 0.7, 0.3 of 20 ms steps, I = 4: the fast workers take extra local steps
  // while the slowest finishes its four (266.7 ms). Each one's next extra step would end 13 to
  // 24 ms after that, so a barrier that completes within 13 ms of the last arrival gives the
  // simulated counts exactly; at most two late barriers of ten rounds are allowed for.
  TempDir dir("real_keep_stepping");
  write_file(dir / "s.yaml", kRealScenario);
  const std::string settings =
      " --set steps=40 --set compute.mean=20ms --set 'compute.speed_factors=[1.0, 0.55, 0.7, 0.3]'"
      " --set algorithm.while_waiting=local_steps --set eval.every=0 --set network.latency=5us"
      " --set network.bandwidth=100Gbps";
  REQUIRE(simulate(dir, "run " + quoted(dir / "s.yaml") + " --quiet --out " + quoted(dir / "sim") +
                            settings)
              .exit_code == 0);
  const auto simulated = summary_of(dir / "sim");
  for (int ranks : {2, 4}) {
    INFO(ranks << " ranks");
    const fs::path out = dir / ("real" + std::to_string(ranks));
    const Result r =
        mpirun(dir, ranks,
               "run " + quoted(dir / "s.yaml") + " --real --emulate-compute --quiet --out " +
                   quoted(out) + settings);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto measured = summary_of(out);
    CHECK(measured["comm_rounds"] == simulated["comm_rounds"]);
    for (std::size_t w = 0; w < 4; ++w) {
      INFO("worker " << w);
      const auto extra = measured["per_worker"][w]["extra_steps"].get<std::int64_t>();
      const auto expected = simulated["per_worker"][w]["extra_steps"].get<std::int64_t>();
      CHECK(extra >= expected);
      CHECK(extra <= expected + 2);
      CHECK(measured["per_worker"][w]["steps"].get<std::int64_t>() - extra == 40);
    }
    CHECK(simulated["per_worker"][0]["extra_steps"].get<int>() > 0);
    const double predicted = simulated["sim_time_s"];
    CHECK(std::abs(measured["sim_time_s"].get<double>() - predicted) <= 0.05 * predicted);
  }
}
