// Outputs no fault can silently lose or mix, tried on a real sgdsim process: a run that cannot
// progress stops with a clear error; a file size limit on trace.json fails the run (no summary says
// ok over a cut file); a closed stderr does not end a simulation; a second run into a directory in
// use is refused; an interrupted run measures the model it holds; a sweep reruns what read an
// input file that changed since.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sgdsim::testing::lines_of;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

const std::string kSmall = R"(name: small
seed: 3
workers: 4
steps: 400
algorithm: {kind: local_sgd, interval: 4, lr: 0.05, batch_size: 4}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, features: 5, classes: 3}
compute: {kind: constant, mean: 10ms}
eval: {every: 100}
)";

std::string sgdsim_binary() {
  return std::string("'") + SGDSIM_BINARY + "'";
}

// Runs `script` with bash in `dir`; returns its exit status.
int shell(const TempDir& dir, const std::string& script) {
  dir.write("script.sh", script + "\n");
  const std::string command = "cd '" + dir.path().string() + "' && bash script.sh";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("a run whose workers fail faster than they step stops as stalled, naming why",
          "[sim][reliability][cli]") {
  const TempDir dir("stall");
  dir.write("steps.csv", "seconds\n0.03\n0.031\n");
  // empirical step times: the loader cannot know their mean, so the run must notice by itself
  dir.write("stall.yaml", kSmall + "availability: {mtbf: 1ms, repair: 1ms}\n");
  std::string text = read_file(dir / "stall.yaml");
  text.replace(text.find("compute: {kind: constant, mean: 10ms}"), 37,
               "compute: {kind: empirical, path: steps.csv}");
  dir.write("stall.yaml", text);
  CHECK(shell(dir, sgdsim_binary() + " run stall.yaml --out out 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"),
             Catch::Contains("stalled") && Catch::Contains("availability.mtbf"));
  CHECK(json::parse(read_file(dir / "out" / "summary.json"))["status"] == "stalled");

  // With a known mean the loader refuses it outright, at the key.
  dir.write("known.yaml", kSmall + "availability: {mtbf: 100us, repair: 1ms}\n");
  CHECK(shell(dir, sgdsim_binary() + " validate known.yaml >/dev/null 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("known.yaml:10:") &&
                                             Catch::Contains("availability.mtbf: a worker fails"));
}

TEST_CASE("a file size limit on trace.json fails the run with the system's reason",
          "[sim][reliability][cli]") {
  const TempDir dir("fsize");
  dir.write("run.yaml", kSmall);  // a trace of about 200 KB
  CHECK(shell(dir, "ulimit -f 20; " + sgdsim_binary() + " run run.yaml --out out -q 2>err.txt") ==
        1);
  CHECK_THAT(read_file(dir / "err.txt"),
             Catch::Contains("trace.json") && Catch::Contains("File too large"));
  CHECK_FALSE(fs::exists(dir / "out" / "summary.json"));
  CHECK_FALSE(fs::exists(dir / "out" / "summary.json.tmp"));
}

TEST_CASE("a closed stderr does not end a simulation", "[sim][reliability][cli]") {
  const TempDir dir("sigpipe");
  std::string text = kSmall;
  text.replace(text.find("steps: 400"), 10, "steps: 40000");
  dir.write("run.yaml", text + "output: {trace: false}\n");
  // The progress line goes to a pipe whose reader is gone at once.
  CHECK(shell(dir, sgdsim_binary() + " run run.yaml --out out 2>&1 >/dev/null | true; "
                                     "echo ${PIPESTATUS[0]} > rc.txt") == 0);
  CHECK(read_file(dir / "rc.txt") == "0\n");
  CHECK(json::parse(read_file(dir / "out" / "summary.json"))["status"] == "ok");
}

TEST_CASE("a second run into a directory in use is refused and mixes nothing",
          "[sim][reliability][cli]") {
  const TempDir dir("lock");
  std::string text = kSmall;
  text.replace(text.find("steps: 400"), 10, "steps: 50000000");
  dir.write("long.yaml", text + "output: {trace: false}\n");
  dir.write("short.yaml", kSmall);
  const int rc = shell(dir, sgdsim_binary() +
                                " run long.yaml --out out -q & pid=$!; "
                                "until [ -s out/metrics.csv ]; do sleep 0.05; done; " +
                                sgdsim_binary() +
                                " run short.yaml --out out -q 2>err.txt; echo $? > rc.txt; "
                                "kill -INT $pid; wait $pid; exit 0");
  CHECK(rc == 0);
  CHECK(read_file(dir / "rc.txt") == "1\n");
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("is in use by another sgdsim"));
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary["name"] == "small");  // the first run's, alone
  CHECK_FALSE(fs::exists(dir / "out" / "trace.json"));
}

TEST_CASE("an interrupted run ends with a metrics row for the model it holds",
          "[sim][reliability][interrupt][cli]") {
  const TempDir dir("stopped_where");
  std::string text = kSmall;
  // Far too long to finish before the signal, however fast the machine.
  text.replace(text.find("steps: 400"), 10, "steps: 50000000");
  text.replace(text.find("eval: {every: 100}"), 18, "eval: {every: 0}");
  dir.write("long.yaml", text + "output: {trace: false}\n");
  const int rc = shell(dir, sgdsim_binary() +
                                " run long.yaml --out out -q & pid=$!; "
                                "until [ -s out/metrics.csv ]; do sleep 0.05; done; sleep 0.3; "
                                "kill -INT $pid; wait $pid; echo $? > rc.txt; exit 0");
  CHECK(rc == 0);
  CHECK(read_file(dir / "rc.txt") == "130\n");
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  const auto rows = lines_of(read_file(dir / "out" / "metrics.csv"));
  REQUIRE(rows.size() == 3);  // header, step 0, where it stopped
  const std::int64_t last = std::stoll(rows.back().substr(0, rows.back().find(',')));
  CHECK(last > 0);
  CHECK(last % 4 == 0);  // a round's step: the latest average, model.csv's model
  CHECK(summary["final_step"] == last);
}

TEST_CASE("a sweep reruns the runs whose input file changed since",
          "[sim][reliability][sweep][cli]") {
  const TempDir dir("resume_inputs");
  dir.write("steps.csv", "seconds\n0.03\n");
  std::string text = kSmall;
  text.replace(text.find("compute: {kind: constant, mean: 10ms}"), 37,
               "compute: {kind: empirical, path: steps.csv}");
  dir.write("sweep.yaml",
            text + "output: {trace: false}\nsweep: {grid: {algorithm.lr: [0.01, 0.02]}}\n");
  CHECK(shell(dir, sgdsim_binary() + " sweep sweep.yaml --out out -q") == 0);
  const double before =
      json::parse(read_file(dir / "out/runs/p0000_r0/summary.json"))["sim_time_s"];
  CHECK(shell(dir, sgdsim_binary() + " sweep sweep.yaml --out out 2>err.txt") == 0);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("0 ran, 2 already done"));
  dir.write("steps.csv", "seconds\n3\n");
  CHECK(shell(dir, sgdsim_binary() + " sweep sweep.yaml --out out 2>err.txt") == 0);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("2 ran, 0 already done"));
  const double after = json::parse(read_file(dir / "out/runs/p0000_r0/summary.json"))["sim_time_s"];
  CHECK(after == Approx(before * 100).epsilon(0.01));
}

TEST_CASE("validate runs the checks that need the data", "[sim][reliability][cli]") {
  const TempDir dir("validate_data");
  dir.write("run.yaml", kSmall);
  CHECK(shell(dir, sgdsim_binary() + " validate run.yaml --set workers=500 >/dev/null 2>err.txt") ==
        2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("500 workers but only 400 samples"));
  dir.write("header.csv", "a,b,label\n");
  CHECK(shell(dir, sgdsim_binary() +
                       " validate run.yaml --set \"data={kind: csv, path: header.csv}\" "
                       ">/dev/null 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("header.csv"));
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("command-line mistakes are named as such", "[sim][reliability][cli]") {
  const TempDir dir("cli_words");
  dir.write("run.yaml", kSmall);
  CHECK(shell(dir, sgdsim_binary() + " runn run.yaml 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"),
             Catch::Contains("unknown command 'runn'") && Catch::Contains("did you mean 'run'"));
  for (const std::string assignment : {"workers.foo=3", "algorithm..lr=0.2", "workers.=abc"}) {
    INFO(assignment);
    CHECK(shell(dir, sgdsim_binary() + " validate run.yaml --set " + assignment + " 2>err.txt") ==
          2);
    CHECK_THAT(read_file(dir / "err.txt"), Catch::StartsWith("error: --set '" + assignment + "'"));
  }
}

TEST_CASE("a data path naming a FIFO or a device is refused at once, at its key",
          "[sim][reliability][cli]") {
  const TempDir dir("fifo");
  CHECK(shell(dir, "mkfifo pipe") == 0);
  for (const std::string& path : {std::string("pipe"), std::string("/dev/zero")}) {
    INFO(path);
    dir.write("run.yaml", kSmall + "");
    std::string text = kSmall;
    text.replace(text.find("data: {kind: synthetic, samples: 400, features: 5, classes: 3}"), 62,
                 "data: {kind: csv, path: " + path + "}");
    dir.write("run.yaml", text);
    // `timeout` ends a run that would block on the FIFO: the test fails instead of hanging.
    CHECK(shell(dir, "timeout 20 " + sgdsim_binary() + " run run.yaml --out out 2>err.txt") == 2);
    CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("run.yaml:7:") &&
                                               Catch::Contains("data.path:") &&
                                               Catch::Contains("is not a regular file"));
  }
  CHECK(shell(dir, "ln -s loop loop") == 0);
  std::string looped = kSmall;
  looped.replace(looped.find("data: {kind: synthetic, samples: 400, features: 5, classes: 3}"), 62,
                 "data: {kind: csv, path: loop}");
  dir.write("run.yaml", looped);
  CHECK(shell(dir, sgdsim_binary() + " validate run.yaml >/dev/null 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("symbolic link that cannot be followed"));
  CHECK(shell(dir, "timeout 20 " + sgdsim_binary() +
                       " run /dev/stdin --out out < /dev/zero 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("not a regular file"));
}

TEST_CASE("a data file larger than the memory a run may use is refused before it is read",
          "[sim][reliability][cli]") {
  const TempDir dir("big_csv");
  std::string csv = "a,b,label\n";
  while (csv.size() < 3'000'000) csv += "0.25,0.5,1\n";
  dir.write("big.csv", csv);
  dir.write("bad_header.csv", "label\n" + csv.substr(10));
  std::string text = kSmall;
  text.replace(text.find("data: {kind: synthetic, samples: 400, features: 5, classes: 3}"), 62,
               "data: {kind: csv, path: big.csv}");
  dir.write("run.yaml", text);
  CHECK(shell(dir, sgdsim_binary() + " run run.yaml --out out --memory-limit 1MB 2>err.txt") == 2);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("data.path:") &&
                                             Catch::Contains("big.csv' holds") &&
                                             Catch::Contains("more than the 1000000 bytes"));
  text.replace(text.find("big.csv"), 7, "bad_header.csv");
  dir.write("run.yaml", text);
  CHECK(shell(dir, sgdsim_binary() + " validate run.yaml 2>err.txt >/dev/null") == 2);
  CHECK_THAT(read_file(dir / "err.txt"),
             Catch::Contains("bad_header.csv:1: the header has 1 column"));
}

TEST_CASE("a full disk fails the run with the system's reason and leaves no summary",
          "[sim][reliability][cli]") {
  const TempDir dir("disk_full");
  dir.write("run.yaml", kSmall);  // a trace of about 200 KB against a 64 KB file system
  if (shell(dir, "mkdir -p full && mount -t tmpfs -o size=64k tmpfs full 2>/dev/null") != 0) {
    WARN("cannot mount a tmpfs here (needs root): the full-disk case is not tried");
    return;
  }
  const int rc = shell(dir, sgdsim_binary() + " run run.yaml --out full/out -q 2>err.txt");
  const bool summary = fs::exists(dir / "full" / "out" / "summary.json");
  const bool temporary = fs::exists(dir / "full" / "out" / "summary.json.tmp");
  CHECK(shell(dir, "umount full") == 0);
  CHECK(rc == 1);
  CHECK_THAT(read_file(dir / "err.txt"), Catch::Contains("No space left on device"));
  CHECK_FALSE(summary);
  CHECK_FALSE(temporary);
}
