// Real runs under mpirun: the faults a user meets on a cluster (a bad scenario, what a real run
// does not execute, a killed rank, SIGINT) and sweeps spread over ranks.
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

namespace {

// Starts `mpirun -np 2 sgdsim run SCENARIO --real --emulate-compute` for 2000 steps of 20 ms (40 s)
// in the background, with one more --set; returns mpirun's pid.
pid_t launch_long_real_run(const fs::path& scenario, const fs::path& out, const char* setting) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const std::string binary = SGDSIM_BINARY;
  const std::string scenario_path = scenario.string();
  const std::string out_dir = out.string();
  const pid_t launcher = fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    freopen("/dev/null", "w", stderr);
    execl(SGDSIM_MPIRUN, SGDSIM_MPIRUN, "-np", "2", "--oversubscribe", binary.c_str(), "run",
          scenario_path.c_str(), "--real", "--emulate-compute", "--quiet", "--out", out_dir.c_str(),
          "--set", "steps=2000", "--set", "compute.mean=20ms", "--set", setting,
          static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return launcher;
}

}  // namespace

TEST_CASE("a bad scenario under mpirun: every rank exits 2 and the message is printed once",
          "[real]") {
  TempDir dir("real_bad");
  write_file(dir / "s.yaml", std::string(kRealScenario) + "unknown_key: 1\n");
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
  write_file(dir / "s.yaml", kRealScenario);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"availability={mtbf: 10s, repair: 1s}", "availability"},
      {"network.overlap=true", "network.overlap"},
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
  write_file(dir / "s.yaml", kRealScenario);
  const fs::path out = dir / "out";
  const pid_t launcher = launch_long_real_run(dir / "s.yaml", out, "algorithm.interval=4");
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
  write_file(dir / "s.yaml", kRealScenario);
  const fs::path out = dir / "out";
  const pid_t launcher = launch_long_real_run(dir / "s.yaml", out, "algorithm.interval=2");
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
  write_file(dir / "s.yaml", std::string(kRealScenario) +
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
