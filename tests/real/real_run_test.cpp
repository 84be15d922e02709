// Real runs under mpirun (sgdsim run --real): the same math as the simulation, measured timing in
// the simulator's formats, emulated compute, and the faults a user meets on a cluster. Each test
// starts its own `mpirun -np R`.
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
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sgdsim::testing::lines_of;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;
using sgdsim::testing::write_file;

// A small problem that runs in a fraction of a second.
constexpr const char* kScenario = R"(name: real_check
seed: 7
workers: 4
steps: 48
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 16}
model: {kind: softmax}
data: {kind: synthetic, samples: 1200, test_samples: 200, features: 12, classes: 4}
compute: {kind: constant, mean: 1ms}
eval: {every: 16}
)";

struct Result {
  int exit_code;
  std::string err;
};

std::string quoted(const fs::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

// `mpirun -np ranks sgdsim arguments`, stderr captured (mpirun's own messages included).
Result mpirun(const TempDir& dir, int ranks, const std::string& arguments) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const fs::path err = dir / "stderr.txt";
  const std::string command = std::string(SGDSIM_MPIRUN) + " -np " + std::to_string(ranks) +
                              " --oversubscribe '" + SGDSIM_BINARY + "' " + arguments +
                              " >/dev/null 2>" + quoted(err);
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(err)};
}

Result simulate(const TempDir& dir, const std::string& arguments) {
  const fs::path err = dir / "stderr.txt";
  const std::string command =
      std::string("'") + SGDSIM_BINARY + "' " + arguments + " >/dev/null 2>" + quoted(err);
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(err)};
}

// metrics.csv without its time column (the one a real run measures).
std::vector<std::string> metrics_without_time(const fs::path& file) {
  std::vector<std::string> rows;
  for (const std::string& line : lines_of(read_file(file))) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    rows.push_back(line.substr(0, first) + line.substr(second));
  }
  return rows;
}

nlohmann::json summary_of(const fs::path& dir) {
  return nlohmann::json::parse(read_file(dir / "summary.json"));
}

std::string sets(const std::vector<std::string>& overrides) {
  std::string text;
  for (const std::string& o : overrides) text += " --set '" + o + "'";
  return text;
}

}  // namespace

TEST_CASE("with ordered reduction a real run's losses and model equal the simulated run's bits",
          "[real]") {
  TempDir dir("real_math");
  write_file(dir / "s.yaml", kScenario);
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
  write_file(dir / "s.yaml", kScenario);
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
  write_file(dir / "s.yaml", kScenario);
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
  write_file(dir / "s.yaml", kScenario);
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

TEST_CASE("a bad scenario under mpirun: every rank exits 2 and the message is printed once",
          "[real]") {
  TempDir dir("real_bad");
  write_file(dir / "s.yaml", std::string(kScenario) + "unknown_key: 1\n");
  const Result r =
      mpirun(dir, 4, "run " + quoted(dir / "s.yaml") + " --real --out " + quoted(dir / "out"));
  CHECK(r.exit_code == 2);
  std::size_t errors = 0;
  for (std::size_t at = r.err.find("error:"); at != std::string::npos;
       at = r.err.find("error:", at + 1)) {
    ++errors;
  }
  INFO(r.err);
  CHECK(errors == 1);
  CHECK_THAT(r.err, Catch::Contains("s.yaml:10:1: unknown_key"));
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("what a real run does not execute is refused before any rank works, at the key",
          "[real]") {
  TempDir dir("real_refused");
  write_file(dir / "s.yaml", kScenario);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"availability={mtbf: 10s, repair: 1s}", "availability"},
      {"network.overlap=true", "network.overlap"},
      {"algorithm.while_waiting=local_steps", "algorithm.while_waiting"},
      {"eval.step_averages=true", "eval.step_averages"},
      {"algorithm.kind=async_sgd", "algorithm.kind"},
      {"workers=1", "workers"},  // fewer workers than ranks
  };
  for (const auto& [set, key] : cases) {
    INFO(set);
    std::string arguments = "run " + quoted(dir / "s.yaml") + " --real --out " +
                            quoted(dir / "out") + " --set '" + set + "'";
    if (set.starts_with("algorithm.kind=async")) arguments += " --set algorithm.interval=null";
    const Result r = mpirun(dir, 2, arguments);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(key));
    CHECK_FALSE(fs::exists(dir / "out"));
  }
}

TEST_CASE("a rank killed mid-run stops the others within seconds, and nothing claims ok",
          "[real]") {
  TempDir dir("real_killed");
  write_file(dir / "s.yaml", kScenario);
  const fs::path out = dir / "out";
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const pid_t launcher = fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    const std::string binary = SGDSIM_BINARY;
    const std::string scenario = (dir / "s.yaml").string();
    const std::string out_dir = out.string();
    freopen("/dev/null", "w", stderr);
    execl(SGDSIM_MPIRUN, SGDSIM_MPIRUN, "-np", "2", "--oversubscribe", binary.c_str(), "run",
          scenario.c_str(), "--real", "--emulate-compute", "--quiet", "--out", out_dir.c_str(),
          "--set", "steps=2000", "--set", "compute.mean=20ms", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // Find rank 1 by its environment once it has started, and kill it.
  pid_t victim = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (victim < 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream cmdline(entry.path() / "cmdline"), environ(entry.path() / "environ");
      const std::string args{std::istreambuf_iterator<char>(cmdline), {}};
      const std::string env{std::istreambuf_iterator<char>(environ), {}};
      if (args.find(out.string()) != std::string::npos && args.find(SGDSIM_MPIRUN) != 0 &&
          env.find(std::string("OMPI_COMM_WORLD_RANK=1") + '\0') != std::string::npos) {
        victim = std::stoi(name);
      }
    }
  }
  REQUIRE(victim > 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // under way
  ::kill(victim, SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  int status = 0;
  REQUIRE(waitpid(launcher, &status, 0) == launcher);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  CHECK(waited < 10.0);  // 2000 steps of 20 ms would take 40 s
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  if (fs::exists(out / "summary.json")) CHECK(summary_of(out)["status"] != "ok");
}

TEST_CASE("SIGINT to mpirun leaves the interrupted outputs of a simulated run", "[real]") {
  TempDir dir("real_interrupted");
  write_file(dir / "s.yaml", kScenario);
  const fs::path out = dir / "out";
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const pid_t launcher = fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    const std::string binary = SGDSIM_BINARY;
    const std::string scenario = (dir / "s.yaml").string();
    const std::string out_dir = out.string();
    freopen("/dev/null", "w", stderr);
    execl(SGDSIM_MPIRUN, SGDSIM_MPIRUN, "-np", "2", "--oversubscribe", binary.c_str(), "run",
          scenario.c_str(), "--real", "--emulate-compute", "--quiet", "--out", out_dir.c_str(),
          "--set", "steps=2000", "--set", "compute.mean=20ms", "--set", "algorithm.interval=2",
          static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // Wait until the run is under way: trace.json and metrics.csv appear once it starts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(out / "metrics.csv") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ::kill(launcher, SIGINT);
  int status = 0;
  REQUIRE(waitpid(launcher, &status, 0) == launcher);
  REQUIRE(fs::exists(out / "summary.json"));
  const auto summary = summary_of(out);
  CHECK(summary["status"] == "interrupted");
  const auto rows = lines_of(read_file(out / "metrics.csv"));
  CHECK(rows.size() >= 2);  // the header and step 0 at least, and the latest round's row
  CHECK(fs::exists(out / "model.csv"));
}

TEST_CASE("a sweep spread over MPI ranks writes the single-process sweep's tables, and resumes",
          "[real]") {
  TempDir dir("real_sweep");
  write_file(dir / "s.yaml", std::string(kScenario) +
                                 "sweep:\n  replicates: 2\n  grid:\n    algorithm.interval: [1, 2, "
                                 "4, 8]\n    workers: [2, 4]\n");
  REQUIRE(simulate(dir, "sweep " + quoted(dir / "s.yaml") + " --quiet -j 1 --out " +
                            quoted(dir / "single"))
              .exit_code == 0);
  // The tables without their wall-time column.
  const auto without_wall = [](const fs::path& file) {
    const auto rows = lines_of(read_file(file));
    const auto header = sgdsim::testing::cells_of(rows.front());
    std::vector<std::string> kept;
    for (const auto& row : rows) {
      const auto cells = sgdsim::testing::cells_of(row);
      std::string line;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (header[c].find("wall") == std::string::npos) line += cells[c] + ",";
      }
      kept.push_back(line);
    }
    return kept;
  };
  for (int ranks : {2, 3}) {
    INFO(ranks << " ranks");
    const fs::path out = dir / ("ranks" + std::to_string(ranks));
    const Result r =
        mpirun(dir, ranks, "sweep " + quoted(dir / "s.yaml") + " -j 1 --out " + quoted(out));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("16 ran, 0 already done"));
    CHECK(without_wall(out / "runs.csv") == without_wall(dir / "single" / "runs.csv"));
    CHECK(without_wall(out / "aggregate.csv") == without_wall(dir / "single" / "aggregate.csv"));
    // A rerun finds every run done; removing one run's summary makes it the only one redone.
    fs::remove(out / "runs" / "p0003_r1" / "summary.json");
    const Result again =
        mpirun(dir, ranks, "sweep " + quoted(dir / "s.yaml") + " -j 1 --out " + quoted(out));
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.err, Catch::Contains("1 ran, 15 already done"));
    CHECK(without_wall(out / "runs.csv") == without_wall(dir / "single" / "runs.csv"));
  }
}
