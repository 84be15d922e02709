// The sgdsim executable: exit codes (0 ok, 2 bad input, 3 diverged), error messages on stderr
// naming file, line and key, --set, and no output directory for bad input.
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
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;
using sgdsim::testing::write_file;

const std::string kTiny = R"(name: tiny_cli
seed: 3
workers: 2
steps: 20
precision: float64
algorithm:
  kind: local_sgd
  interval: 4
  lr: 0.1
  batch_size: 8
model: {kind: softmax}
data: {kind: synthetic, samples: 200, test_samples: 50, features: 5, classes: 3}
compute: {kind: constant, mean: 10ms}
network: {latency: 50us, bandwidth: 10Gbps}
eval: {every: 5}
)";

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs sgdsim with `arguments` (already shell-quoted), capturing stdout and stderr in `dir`;
// `environment` ("NAME=value ...") goes before the command.
Result run_sgdsim(const TempDir& dir, const std::string& arguments,
                  const std::string& environment = "") {
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  const std::string command = environment + " '" + SGDSIM_BINARY + "' " + arguments + " >'" +
                              out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(out), read_file(err)};
}

// Built by appending: GCC 12 warns (-Wrestrict, falsely) on "'" + std::string&&.
std::string quoted(const fs::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

}  // namespace

TEST_CASE("sgdsim --version exits 0 and prints the version", "[sim][cli]") {
  TempDir dir("cli_test");
  const Result r = run_sgdsim(dir, "--version");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains(SGDSIM_VERSION));
}

TEST_CASE("sgdsim validate of a misspelled key exits 2 naming file, line and key", "[sim][cli]") {
  TempDir dir("cli_test");
  std::string text = kTiny;
  text.replace(text.find("  interval: 4"), 13, "  intervall: 4");  // line 8
  const fs::path scenario = dir / "typo.yaml";
  write_file(scenario, text);
  const Result r = run_sgdsim(dir, "validate " + quoted(scenario));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(scenario.string() + ":8:"));
  CHECK_THAT(r.err, Catch::Contains("algorithm.intervall"));
  CHECK_THAT(r.err, Catch::Contains("did you mean 'interval'"));
  CHECK_THAT(r.err, Catch::StartsWith("error: "));
}

TEST_CASE("sgdsim validate of a good scenario exits 0 and prints it resolved as JSON",
          "[sim][cli]") {
  TempDir dir("cli_test");
  const fs::path scenario = dir / "tiny.yaml";
  write_file(scenario, kTiny);
  const Result r = run_sgdsim(dir, "validate " + quoted(scenario) + " --set algorithm.interval=2");
  REQUIRE(r.exit_code == 0);
  const json resolved = json::parse(r.out);
  CHECK(resolved.dump().find("\"interval\":2") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("sgdsim run with --set exits 0 and the override shows in the results", "[sim][cli]") {
  TempDir dir("cli_test");
  const fs::path scenario = dir / "tiny.yaml";
  write_file(scenario, kTiny);
  const fs::path out = dir / "out";
  const Result r = run_sgdsim(dir, "run " + quoted(scenario) + " --out " + quoted(out) +
                                       " --set algorithm.interval=5 --set seed=4 --quiet");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary.at("status") == "ok");
  CHECK(summary.at("interval") == 5);
  CHECK(summary.at("comm_rounds") == 20 / 5);
  CHECK(fs::exists(out / "metrics.csv"));
}

TEST_CASE("sgdsim run of a bad scenario exits 2 and leaves no output directory", "[sim][cli]") {
  TempDir dir("cli_test");
  std::string text = kTiny;
  text.replace(text.find("workers: 2"), 10, "workers: two");
  const fs::path scenario = dir / "bad.yaml";
  write_file(scenario, text);
  const fs::path out = dir / "out";
  const Result r = run_sgdsim(dir, "run " + quoted(scenario) + " --out " + quoted(out));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(scenario.string() + ":3:"));
  CHECK_THAT(r.err, Catch::Contains("workers"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("sgdsim run rejects a bad --set value with exit 2 and no output directory",
          "[sim][cli]") {
  TempDir dir("cli_test");
  const fs::path scenario = dir / "tiny.yaml";
  write_file(scenario, kTiny);
  const fs::path out = dir / "out";
  const Result r = run_sgdsim(
      dir, "run " + quoted(scenario) + " --out " + quoted(out) + " --set algorithm.lr=-1");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--set"));
  CHECK_THAT(r.err, Catch::Contains("algorithm.lr"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("sgdsim run names the products' instruction set, and refuses a bad SGDSIM_ISA",
          "[sim][cli]") {
  TempDir dir("cli_test");
  const fs::path scenario = dir / "tiny.yaml";
  write_file(scenario, kTiny);
  const Result ok =
      run_sgdsim(dir, "run " + quoted(scenario) + " --out " + quoted(dir / "ok") + " --quiet",
                 "SGDSIM_ISA=default");
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(json::parse(read_file(dir / "ok" / "summary.json"))["products"] == "default");

  const Result bad = run_sgdsim(dir, "run " + quoted(scenario) + " --out " + quoted(dir / "bad"),
                                "SGDSIM_ISA=sse9");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("SGDSIM_ISA=sse9: unknown instruction set; known: default"));
  CHECK_FALSE(fs::exists(dir / "bad"));
}

TEST_CASE("sgdsim run of a missing scenario file exits 2", "[sim][cli]") {
  TempDir dir("cli_test");
  const Result r =
      run_sgdsim(dir, "run " + quoted(dir / "nope.yaml") + " --out " + quoted(dir / "out"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("nope.yaml"));
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("sgdsim run of a diverging scenario exits 3 and still writes its summary", "[sim][cli]") {
  TempDir dir("cli_test");
  const fs::path scenario = dir / "tiny.yaml";
  write_file(scenario, kTiny);
  const fs::path out = dir / "out";
  const Result r = run_sgdsim(dir, "run " + quoted(scenario) + " --out " + quoted(out) +
                                       " --set model.kind=least_squares --set algorithm.lr=1e6"
                                       " --set steps=400 --set precision=float32");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("diverged"));
  CHECK(json::parse(read_file(out / "summary.json")).at("status") == "diverged");
}

TEST_CASE("sgdsim with bad arguments exits 2", "[sim][cli]") {
  TempDir dir("cli_test");
  CHECK(run_sgdsim(dir, "").exit_code == 2);
  CHECK(run_sgdsim(dir, "frobnicate").exit_code == 2);
  CHECK(run_sgdsim(dir, "run").exit_code == 2);  // scenario and --out are required
}

TEST_CASE("sgdsim --help lists the built-in plug-ins", "[sim][cli]") {
  TempDir dir("cli_test");
  const Result r = run_sgdsim(dir, "--help");
  CHECK(r.exit_code == 0);
  for (const char* name :
       {"local_sgd", "softmax", "mlp", "lognormal", "ring_allreduce", "parameter_server"}) {
    CHECK_THAT(r.out, Catch::Contains(name));
  }
}

TEST_CASE("sgdsim sweep runs every point, writes runs.csv, exits 2 naming a bad point",
          "[sim][cli][sweep]") {
  const TempDir dir("cli_sweep");
  write_file(dir / "sweep.yaml", kTiny + "sweep:\n  grid:\n    algorithm.interval: [1, 5]\n");
  const Result ok = run_sgdsim(
      dir, "sweep " + quoted(dir / "sweep.yaml") + " --out " + quoted(dir / "out") + " --jobs 2");
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.err, Catch::Contains("2 points x 1 replicates = 2 runs"));
  CHECK_THAT(ok.err, Catch::Contains("2 ran, 0 already done"));
  CHECK(fs::exists(dir / "out" / "runs" / "p0001_r0" / "summary.json"));
  CHECK_THAT(read_file(dir / "out" / "runs.csv"), Catch::Contains("p0001_r0,1,0,3,5,ok,"));
  const Result again = run_sgdsim(
      dir, "sweep " + quoted(dir / "sweep.yaml") + " --out " + quoted(dir / "out") + " -q");
  CHECK(again.exit_code == 0);
  CHECK(again.err.empty());

  write_file(dir / "bad.yaml", kTiny + "sweep:\n  grid:\n    algorithm.interval: [1, 50]\n");
  const Result bad =
      run_sgdsim(dir, "sweep " + quoted(dir / "bad.yaml") + " --out " + quoted(dir / "bad_out"));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("sweep point 1 (algorithm.interval=50, replicate 0)"));
  CHECK_THAT(bad.err, Catch::Contains("exceeds steps"));
  CHECK_FALSE(fs::exists(dir / "bad_out"));
}
