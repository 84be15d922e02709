// SIGINT and SIGTERM sent to a real sgdsim process mid-run: the run stops after the current event,
// keeps what it measured, says `interrupted` in summary.json and exits with 130; an interrupted
// sweep keeps its finished runs and a rerun redoes only the others.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sgdsim::testing::lines_of;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

// Long enough (hundreds of thousands of steps) that no signal arrives after the end.
const std::string kLong = R"(name: long
seed: 5
workers: 4
steps: 400000
precision: float64
algorithm: {kind: local_sgd, interval: 4, lr: 0.05, batch_size: 4}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, test_samples: 100, features: 5, classes: 3}
compute: {kind: lognormal, mean: 10ms, sigma: 0.2}
network: {latency: 50us, bandwidth: 10Gbps}
eval: {every: 500}
)";

// Runs `command` in the background in `dir`, waits (at most 60 s) until `ready` (a shell test)
// holds, sends `signal` and returns the command's exit status (the shell's own "Killed" notice
// silenced).
int interrupt_when(const TempDir& dir, const std::string& command, const std::string& ready,
                   const std::string& signal) {
  const std::string script = "cd '" + dir.path().string() + "' && { " + command +
                             " 2>err.txt & pid=$!; i=0; until " + ready +
                             "; do i=$((i+1)); [ $i -gt 1200 ] && break; sleep 0.05; done; "
                             "kill -" +
                             signal + " $pid; wait $pid; echo $? > rc.txt; } 2>/dev/null";
  const int status = std::system(script.c_str());
  REQUIRE(WIFEXITED(status));
  return std::stoi(read_file(dir / "rc.txt"));
}

std::string sgdsim_binary() {
  return std::string("'") + SGDSIM_BINARY + "'";
}

}  // namespace

TEST_CASE("a signal mid-run keeps the metrics so far and marks the run interrupted",
          "[sim][interrupt][cli]") {
  for (const std::string signal : {"INT", "TERM"}) {
    INFO("SIG" << signal);
    const TempDir dir("interrupt_run");
    dir.write("long.yaml", kLong);
    // Wait for three measurements after step 0: the run is well under way.
    const int rc =
        interrupt_when(dir, sgdsim_binary() + " run long.yaml --out out -q",
                       "[ \"$(cat out/metrics.csv 2>/dev/null | wc -l)\" -ge 5 ]", signal);
    CHECK(rc == 130);
    CHECK(read_file(dir / "err.txt").empty());  // -q: only errors, and an interrupt is not one
    const json summary = json::parse(read_file(dir / "out" / "summary.json"));
    CHECK(summary["status"] == "interrupted");
    const auto rows = lines_of(read_file(dir / "out" / "metrics.csv"));
    REQUIRE(rows.size() >= 5);
    // The last row is the model where the run stopped, and the summary reports that row.
    const std::int64_t last_step = std::stoll(rows.back().substr(0, rows.back().find(',')));
    CHECK(summary["final_step"] == last_step);
    CHECK(last_step < 400000);
    CHECK(summary["sim_time_s"].get<double>() > 0);
    // The trace is complete JSON, and nothing half-written is left beside the outputs.
    CHECK_NOTHROW(json::parse(read_file(dir / "out" / "trace.json")));
    for (const auto& entry : fs::directory_iterator(dir / "out")) {
      const std::string name = entry.path().filename().string();
      INFO(name);
      CHECK((name == "metrics.csv" || name == "summary.json" || name == "trace.json" ||
             name == "model.csv"));
    }
  }
}

TEST_CASE("an interrupted sweep keeps its finished runs and a rerun redoes only the rest",
          "[sim][interrupt][sweep][cli]") {
  const TempDir dir("interrupt_sweep");
  std::string text = kLong;
  text.replace(text.find("steps: 400000"), 13, "steps: 100000");
  dir.write("sweep.yaml",
            text + "sweep:\n  grid:\n    algorithm.lr: [0.01, 0.02, 0.03, 0.04, 0.05]\n");
  const int rc = interrupt_when(dir, sgdsim_binary() + " sweep sweep.yaml --out out --jobs 1 -q",
                                "[ -s out/runs/p0000_r0/summary.json ]", "INT");
  CHECK(rc == 130);
  const std::string kept = read_file(dir / "out" / "runs" / "p0000_r0" / "summary.json");
  CHECK(json::parse(kept)["status"] == "ok");
  const auto rows = lines_of(read_file(dir / "out" / "runs.csv"));
  REQUIRE(rows.size() == 6);
  int unfinished = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].find(",ok,") == std::string::npos) ++unfinished;
  }
  CHECK(unfinished >= 1);

  const std::string rerun = "cd '" + dir.path().string() + "' && " + sgdsim_binary() +
                            " sweep sweep.yaml --out out --jobs 1 2>err.txt";
  const int status = std::system(rerun.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // One progress line per run redone, numbered out of the unfinished ones only.
  std::string counter = "[";  // appended piece by piece: GCC 12 -Wrestrict false positive
  counter += std::to_string(unfinished);
  counter += "/";
  counter += std::to_string(unfinished);
  counter += "]";
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains(counter));
  CHECK(read_file(dir / "out" / "runs" / "p0000_r0" / "summary.json") == kept);
  const auto finished = lines_of(read_file(dir / "out" / "runs.csv"));
  for (std::size_t r = 1; r < finished.size(); ++r) {
    CHECK(finished[r].find(",ok,") != std::string::npos);
  }
}

TEST_CASE("a run killed outright leaves no summary.json, so it never looks complete",
          "[sim][interrupt][cli]") {
  const TempDir dir("interrupt_kill");
  dir.write("long.yaml", kLong);
  const int rc = interrupt_when(dir, sgdsim_binary() + " run long.yaml --out out -q",
                                "[ \"$(cat out/metrics.csv 2>/dev/null | wc -l)\" -ge 3 ]", "KILL");
  CHECK(rc == 128 + 9);
  CHECK(lines_of(read_file(dir / "out" / "metrics.csv")).size() >= 3);  // streamed as it ran
  CHECK_FALSE(fs::exists(dir / "out" / "summary.json"));
}
