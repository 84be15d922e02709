// The memory guard: what a run is estimated to hold, and runs refused before they allocate.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/runner/memory_guard.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sgdsim::testing::TempDir;

const std::string kTiny = R"(name: guard
seed: 3
workers: 4
steps: 8
precision: float64
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 8}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, test_samples: 100, features: 5, classes: 3}
compute: {kind: constant, mean: 10ms}
network: {latency: 50us, bandwidth: 10Gbps}
output: {trace: false}
)";

sgdsim::Scenario tiny(const std::vector<std::string>& overrides = {}) {
  return sgdsim::load_scenario_text(kTiny, "guard.yaml", overrides);
}

// Softmax regression on 5 features and 3 classes: a 3 × 5 weight matrix and 3 biases.
constexpr std::int64_t kParams = 18;
// 400 + 100 samples of 5 features and a target, in double precision.
constexpr double kDataBytes = 500.0 * 6 * 8;

}  // namespace

TEST_CASE("each algorithm's per-worker model copies are named", "[sim][memory]") {
  using Copies = std::vector<std::string>;
  CHECK(sgdsim::per_worker_model_copies(tiny()) == Copies{"parameters"});
  CHECK(sgdsim::per_worker_model_copies(tiny({"algorithm.momentum=0.9"})) ==
        Copies{"parameters", "momentum"});
  CHECK(sgdsim::per_worker_model_copies(tiny({"network.overlap=true"})) ==
        Copies{"parameters", "model in flight"});
  CHECK(sgdsim::per_worker_model_copies(tiny({"algorithm.kind=gossip"})) ==
        Copies{"parameters", "mixed model"});
  CHECK(sgdsim::per_worker_model_copies(
            tiny({"algorithm.kind=async_sgd", "algorithm.interval=null"})) ==
        Copies{"pulled model", "gradient"});
}

TEST_CASE("replica and synthetic data estimates are the sizes of what the run allocates",
          "[sim][memory]") {
  const auto replicas = sgdsim::replica_memory(tiny({"algorithm.momentum=0.5"}), kParams, 8);
  CHECK(replicas.bytes == 4.0 * 2 * kParams * 8);
  CHECK_THAT(replicas.what, Catch::Contains("4 workers × 2 model copies (parameters, momentum) × "
                                            "18 parameters × 8 B = 1.15 KB"));
  const auto data = sgdsim::synthetic_data_memory(tiny(), 8);
  REQUIRE(data);
  CHECK(data->bytes == kDataBytes);
  sgdsim::Scenario from_file = tiny();
  from_file.data.kind = "csv";  // its size is known only once read
  CHECK_FALSE(sgdsim::synthetic_data_memory(from_file, 8));
}

TEST_CASE("the machine's available memory can be read", "[sim][memory]") {
  std::string source;
  const auto bytes = sgdsim::available_memory_bytes(&source);
  REQUIRE(bytes);
  CHECK(*bytes > 0);
  CHECK_FALSE(source.empty());
}

TEST_CASE("a run over its memory limit is refused at the workers key before anything is written",
          "[sim][memory]") {
  const TempDir dir("memory_guard");
  const double need = kDataBytes + 4.0 * kParams * 8;
  sgdsim::RunOptions options;
  options.quiet = true;
  options.out_dir = (dir / "refused").string();
  options.memory_limit_bytes = need - 1;
  try {
    sgdsim::run_scenario(tiny(), options);
    FAIL("no ConfigError");
  } catch (const sgdsim::ConfigError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::StartsWith("guard.yaml:3:10: workers: this run needs at least"));
    CHECK_THAT(message, Catch::Contains("(--memory-limit)"));
    CHECK_THAT(message, Catch::Contains("replicas: 4 workers × 1 model copy (parameters)"));
    CHECK_THAT(message, Catch::Contains("data: 3000 values of 8 B, loaded"));
    CHECK_THAT(message, Catch::Contains("or precision: float32"));
  }
  CHECK_FALSE(fs::exists(dir / "refused"));

  options.out_dir = (dir / "data_refused").string();
  options.memory_limit_bytes = kDataBytes - 1;
  CHECK_THROWS_WITH(sgdsim::run_scenario(tiny(), options),
                    Catch::StartsWith("guard.yaml:8:") && Catch::Contains("data.samples:"));
  CHECK_FALSE(fs::exists(dir / "data_refused"));

  options.out_dir = (dir / "fits").string();
  options.memory_limit_bytes = need;
  CHECK(sgdsim::run_scenario(tiny(), options).result.status == sgdsim::RunStatus::ok);
}

TEST_CASE("a LIBSVM index that would make the data larger than the memory limit is refused",
          "[sim][memory][libsvm]") {
  const TempDir dir("memory_guard_libsvm");
  // One sample with feature 200 000: a dense 200 000 × 1 matrix of 1.6 MB from a 17-byte file.
  const std::string data = dir.write("garbled.libsvm", "1 200000:0.5\n2 1:1\n");
  const std::string text = std::string(kTiny).replace(
      kTiny.find("{kind: synthetic"),
      kTiny.find('}', kTiny.find("{kind: synthetic")) - kTiny.find("{kind: synthetic") + 1,
      "{kind: libsvm, path: " + data + "}");
  const auto scenario = sgdsim::load_scenario_text(text, "guard.yaml", {"workers=1"});
  sgdsim::RunOptions options;
  options.quiet = true;
  options.out_dir = (dir / "out").string();
  options.memory_limit_bytes = 1e6;
  CHECK_THROWS_WITH(sgdsim::run_scenario(scenario, options),
                    Catch::Contains("data.path:") && Catch::Contains("index 200000") &&
                        Catch::Contains("over the limit of"));
  CHECK_FALSE(fs::exists(dir / "out"));
}
