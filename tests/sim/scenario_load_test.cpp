// Loading scenarios: typed values from YAML, and every kind of bad input reported as a ConfigError
// naming the file, the line and the key, with all problems gathered in one pass.
#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/scenario_errors.hpp"

namespace {

using sgdsim::ConfigError;
using sgdsim::Scenario;
using sgdsim::testing::errors_of;
using sgdsim::testing::location;
using sgdsim::testing::message_with;

// Line numbers below are found by searching this text, so editing it keeps the tests honest.
const std::string kValid = R"(name: tiny
seed: 7
workers: 4
steps: 40
precision: float64
algorithm:
  kind: local_sgd
  interval: 4
  lr: 0.1
  batch_size: 8
model:
  kind: softmax
data:
  kind: synthetic
  samples: 400
  test_samples: 100
  features: 5
  classes: 3
compute:
  kind: constant
  mean: 30ms
network:
  latency: 50us
  bandwidth: 10Gbps
)";

std::string with_line(const std::string& from, const std::string& to,
                      const std::string& text = kValid) {
  return sgdsim::testing::with_line(from, to, text);
}

}  // namespace

TEST_CASE("the quickstart scenario loads with the expected typed values", "[sim][scenario]") {
  const Scenario s =
      sgdsim::load_scenario_file(std::string(SGDSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  CHECK(s.name == "quickstart");
  CHECK(s.seed == 42);
  CHECK(s.workers == 8);
  CHECK(s.steps == 2000);
  CHECK(s.precision == sgdsim::Precision::float32);
  CHECK(s.algorithm.kind == sgdsim::AlgorithmKind::local_sgd);
  CHECK(s.algorithm.interval == 8);
  CHECK(s.algorithm.lr == 0.05);
  CHECK(s.algorithm.batch_size == 32);
  CHECK(s.algorithm.momentum == 0.0);
  CHECK(s.model.kind == "mlp");
  CHECK(s.model.hidden == std::vector<int>{128});
  CHECK(s.model.activation == sgdsim::Activation::relu);
  CHECK(s.data.kind == "fashion_mnist");
  CHECK(s.data.partition == sgdsim::PartitionKind::iid);
  CHECK(s.compute.kind == "lognormal");
  CHECK(s.compute.mean.ns() == 30'000'000);
  CHECK(s.compute.sigma == 0.2);
  CHECK(s.network.link.latency.ns() == 50'000);
  CHECK(s.network.link.bytes_per_second == 1.25e9);
  CHECK(s.network.collective == "ring_allreduce");
  CHECK_FALSE(s.network.payload_bytes.has_value());
  CHECK(s.eval.every == 100);
}

TEST_CASE("a valid scenario text loads with its values and the source recorded",
          "[sim][scenario]") {
  const Scenario s = sgdsim::load_scenario_text(kValid, "test.yaml");
  CHECK(s.source == "test.yaml");
  CHECK(s.name == "tiny");
  CHECK(s.seed == 7);
  CHECK(s.workers == 4);
  CHECK(s.steps == 40);
  CHECK(s.precision == sgdsim::Precision::float64);
  CHECK(s.algorithm.interval == 4);
  CHECK(s.algorithm.lr == 0.1);
  CHECK(s.algorithm.batch_size == 8);
  CHECK(s.model.kind == "softmax");
  CHECK(s.data.synthetic.samples == 400);
  CHECK(s.data.synthetic.test_samples == 100);
  CHECK(s.data.synthetic.features == 5);
  CHECK(s.data.synthetic.classes == 3);
  CHECK(s.data.synthetic.task == sgdsim::Task::multiclass);
  CHECK(s.compute.kind == "constant");
  CHECK(s.compute.mean.ns() == 30'000'000);
  CHECK(s.network.link.latency.ns() == 50'000);
  CHECK(s.network.link.bytes_per_second == 1.25e9);
}

TEST_CASE("optional values have their documented forms: full batch, payload size, momentum",
          "[sim][scenario]") {
  std::string text = with_line("  batch_size: 8",
                               "  batch_size: full\n  momentum: 0.9\n"
                               "  momentum_sync: reset");
  text = with_line("  bandwidth: 10Gbps",
                   "  bandwidth: 100MB/s\n  payload: 4MiB\n"
                   "  collective: parameter_server",
                   text);
  const Scenario s = sgdsim::load_scenario_text(text, "test.yaml");
  CHECK(s.algorithm.batch_size == 0);
  CHECK(s.algorithm.momentum == 0.9);
  CHECK(s.algorithm.momentum_sync == sgdsim::MomentumSync::reset);
  CHECK(s.network.link.bytes_per_second == 1e8);
  REQUIRE(s.network.payload_bytes.has_value());
  CHECK(*s.network.payload_bytes == 4.0 * 1024 * 1024);
  CHECK(s.network.collective == "parameter_server");
}

TEST_CASE("a misspelled key is reported with file, line, key path and a did-you-mean hint",
          "[sim][scenario]") {
  const std::string text = with_line("  interval: 4", "  intervall: 8");
  const auto messages = errors_of(text);
  const std::string message = message_with(messages, {"algorithm.intervall"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "  intervall: 8")));
  CHECK_THAT(message, Catch::Contains("did you mean 'interval'"));
}

TEST_CASE("a misspelled top-level key is reported on its own line", "[sim][scenario]") {
  const std::string text = with_line("seed: 7", "sed: 7");
  const auto messages = errors_of(text);
  const std::string message = message_with(messages, {"unknown key 'sed'"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "sed: 7")));
  CHECK_THAT(message, Catch::Contains("did you mean 'seed'"));
}

TEST_CASE("a missing required key is named", "[sim][scenario]") {
  const std::string text = with_line("steps: 40", "");
  const auto messages = errors_of(text);
  const std::string message = message_with(messages, {"steps", "missing"});
  CHECK_THAT(message, Catch::StartsWith("test.yaml:"));
}

TEST_CASE("a value of the wrong type names its key and line", "[sim][scenario]") {
  const std::string text = with_line("workers: 4", "workers: eight");
  const auto messages = errors_of(text);
  const std::string message = message_with(messages, {"workers", "'eight'"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "workers: eight")));
  CHECK_THAT(message, Catch::Contains("integer"));
}

TEST_CASE("out-of-range values are reported: interval > steps, negative lr, momentum >= 1",
          "[sim][scenario]") {
  SECTION("interval above steps") {
    const std::string text = with_line("  interval: 4", "  interval: 41");
    const std::string message = message_with(errors_of(text), {"algorithm.interval"});
    CHECK_THAT(message, Catch::StartsWith(location(text, "  interval: 41")));
    CHECK_THAT(message, Catch::Contains("steps"));
  }
  SECTION("interval equal to steps is fine") {
    CHECK(sgdsim::load_scenario_text(with_line("  interval: 4", "  interval: 40"), "test.yaml")
              .algorithm.interval == 40);
  }
  SECTION("negative learning rate") {
    const std::string text = with_line("  lr: 0.1", "  lr: -1");
    const std::string message = message_with(errors_of(text), {"algorithm.lr"});
    CHECK_THAT(message, Catch::StartsWith(location(text, "  lr: -1")));
  }
  SECTION("zero learning rate") {
    message_with(errors_of(with_line("  lr: 0.1", "  lr: 0")), {"algorithm.lr"});
  }
  SECTION("momentum 1.5") {
    const std::string text = with_line("  lr: 0.1", "  lr: 0.1\n  momentum: 1.5");
    const std::string message = message_with(errors_of(text), {"algorithm.momentum"});
    CHECK_THAT(message, Catch::StartsWith(location(text, "  momentum: 1.5")));
  }
  SECTION("zero workers") {
    message_with(errors_of(with_line("workers: 4", "workers: 0")), {"workers"});
  }
  SECTION("a step time of zero") {
    message_with(errors_of(with_line("  mean: 30ms", "  mean: 0")), {"compute.mean"});
  }
}

TEST_CASE("an unknown enum value lists the known values", "[sim][scenario]") {
  SECTION("model kind") {
    const std::string text = with_line("  kind: softmax", "  kind: cnn");
    const std::string message = message_with(errors_of(text), {"model.kind"});
    CHECK_THAT(message, Catch::StartsWith(location(text, "  kind: cnn")));
    for (const char* known : {"least_squares", "logistic", "softmax", "mlp", "'cnn'"}) {
      CHECK_THAT(message, Catch::Contains(known));
    }
  }
  SECTION("collective") {
    const std::string text =
        with_line("  bandwidth: 10Gbps", "  bandwidth: 10Gbps\n  collective: tree");
    const std::string message = message_with(errors_of(text), {"network.collective"});
    CHECK_THAT(message, Catch::Contains("ring_allreduce"));
    CHECK_THAT(message, Catch::Contains("parameter_server"));
  }
  SECTION("compute kind") {
    const std::string message =
        message_with(errors_of(with_line("  kind: constant", "  kind: weibull")), {"compute.kind"});
    CHECK_THAT(message, Catch::Contains("lognormal"));
  }
}

TEST_CASE("a bad unit names the key, the line and the accepted units", "[sim][scenario]") {
  const std::string text = with_line("  latency: 50us", "  latency: 50 parsecs");
  const std::string message = message_with(errors_of(text), {"network.latency"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "  latency: 50 parsecs")));
  CHECK_THAT(message, Catch::Contains("'50 parsecs'"));
  CHECK_THAT(message, Catch::Contains("ms"));

  const std::string bandwidth = with_line("  bandwidth: 10Gbps", "  bandwidth: 10");
  message_with(errors_of(bandwidth), {"network.bandwidth"});
}

TEST_CASE("several errors in one file are all reported at once", "[sim][scenario]") {
  std::string text = with_line("workers: 4", "workers: eight");
  text = with_line("  lr: 0.1", "  lr: -1", text);
  text = with_line("  kind: softmax", "  kind: cnn", text);
  text = with_line("  latency: 50us", "  latency: 50 parsecs", text);
  const auto messages = errors_of(text);
  CHECK(messages.size() >= 4);
  message_with(messages, {location(text, "workers: eight"), "workers"});
  message_with(messages, {location(text, "  lr: -1"), "algorithm.lr"});
  message_with(messages, {location(text, "  kind: cnn"), "model.kind"});
  message_with(messages, {location(text, "  latency: 50 parsecs"), "network.latency"});
}

TEST_CASE("--set overrides take effect and keep YAML types", "[sim][scenario]") {
  const Scenario s =
      sgdsim::load_scenario_text(kValid, "test.yaml",
                                 {"algorithm.interval=1", "model.kind=mlp", "model.hidden=[64, 32]",
                                  "seed=99", "network.latency=2ms"});
  CHECK(s.algorithm.interval == 1);
  CHECK(s.model.kind == "mlp");
  CHECK(s.model.hidden == std::vector<int>{64, 32});
  CHECK(s.seed == 99);
  CHECK(s.network.link.latency.ns() == 2'000'000);
  CHECK(s.algorithm.lr == 0.1);  // untouched keys keep their file values
}

TEST_CASE("--set can add a key to a section the file does not have", "[sim][scenario]") {
  const Scenario s = sgdsim::load_scenario_text(kValid, "test.yaml", {"eval.every=5"});
  CHECK(s.eval.every == 5);
  const Scenario t = sgdsim::load_scenario_text(kValid, "test.yaml", {"output.trace=false"});
  CHECK_FALSE(t.output.trace);
}

TEST_CASE("a bad --set value is reported as coming from --set", "[sim][scenario]") {
  SECTION("out of range") {
    const std::string message =
        message_with(errors_of(kValid, {"algorithm.lr=-1"}), {"--set", "algorithm.lr"});
    CHECK_THAT(message, Catch::StartsWith("test.yaml"));
  }
  SECTION("misspelled key") {
    message_with(errors_of(kValid, {"algorithm.intervall=3"}), {"--set", "algorithm.intervall"});
  }
  SECTION("no equals sign") {
    message_with(errors_of(kValid, {"algorithm.interval"}), {"--set", "algorithm.interval"});
  }
  SECTION("unparsable YAML value") {
    message_with(errors_of(kValid, {"model.hidden=[64,"}), {"--set", "model.hidden"});
  }
}

TEST_CASE("a YAML syntax error gives file and line", "[sim][scenario]") {
  const std::string text = with_line("  interval: 4", "  interval: [4, 8");
  const auto messages = errors_of(text);
  REQUIRE(messages.size() == 1);
  CHECK_THAT(messages.front(), Catch::StartsWith("test.yaml:"));
  CHECK_THAT(messages.front(), Catch::Contains("syntax"));

  // A mapping key at the wrong indentation: the error is on that line.
  const std::string indented = with_line("steps: 40", "   steps: 40");
  const auto indent_messages = errors_of(indented);
  REQUIRE(indent_messages.size() == 1);
  CHECK_THAT(indent_messages.front(), Catch::StartsWith(location(indented, "   steps: 40")));
}

TEST_CASE("a missing scenario file is a ConfigError naming the path", "[sim][scenario]") {
  try {
    (void)sgdsim::load_scenario_file("/nonexistent/dir/scenario.yaml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("/nonexistent/dir/scenario.yaml"));
  }
}

TEST_CASE("a speed-factor list must have one entry per worker", "[sim][scenario]") {
  const std::string text = with_line("  mean: 30ms", "  mean: 30ms\n  speed_factors: [1, 0.5]");
  const std::string message = message_with(errors_of(text), {"compute.speed_factors"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "  speed_factors: [1, 0.5]")));
  const Scenario s = sgdsim::load_scenario_text(
      with_line("  mean: 30ms", "  mean: 30ms\n  speed_factors: [1, 0.5, 1, 2]"), "test.yaml");
  CHECK(s.compute.speed_factors == std::vector<double>{1, 0.5, 1, 2});
}

TEST_CASE("classification label noise above 1 is rejected when the scenario loads",
          "[sim][scenario]") {
  // For classes, noise is a label-flip probability; the data generator refuses more than 1.
  const std::string text = with_line("  classes: 3", "  classes: 3\n  noise: 2");
  const std::string message = message_with(errors_of(text), {"data.noise"});
  CHECK_THAT(message, Catch::StartsWith(location(text, "  noise: 2")));
  // For regression it is a standard deviation and may exceed 1.
  const Scenario s =
      sgdsim::load_scenario_text(with_line("  kind: softmax", "  kind: least_squares",
                                           with_line("  classes: 3", "  classes: 3\n  noise: 2")),
                                 "test.yaml");
  CHECK(s.data.synthetic.noise == 2.0);
}

TEST_CASE("a scenario without a name is named after its source file", "[sim][scenario]") {
  const Scenario s = sgdsim::load_scenario_text(with_line("name: tiny", ""), "dir/my_run.yaml");
  CHECK(s.name == "my_run");
}

TEST_CASE("the resolved scenario that validate prints loads back to the same scenario",
          "[sim][scenario]") {
  std::string text = with_line("  batch_size: 8",
                               "  batch_size: full\n  momentum: 0.9\n"
                               "  lr_schedule: {kind: step, every: 10, factor: 0.5}");
  text = with_line("  kind: softmax", "  kind: mlp\n  hidden: [7, 3]\n  activation: tanh", text);
  text = with_line("  kind: constant", "  kind: lognormal\n  sigma: 0.3", text);
  text = with_line("  mean: 30ms", "  mean: 1.5ms\n  speed_factors: [1, 0.5, 2, 0.25]", text);
  text = with_line("  bandwidth: 10Gbps", "  bandwidth: 3.3Gbps\n  payload: 4MiB", text);
  for (const auto& [label, scenario] :
       {std::pair{std::string("rich"), sgdsim::load_scenario_text(text, "test.yaml")},
        std::pair{std::string("quickstart"),
                  sgdsim::load_scenario_file(std::string(SGDSIM_SOURCE_DIR) +
                                             "/scenarios/quickstart.yaml")}}) {
    INFO(label);
    const std::string resolved = sgdsim::scenario_to_json(scenario).dump(2);
    INFO(resolved);
    const Scenario again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
    CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
    CHECK(again.compute.mean == scenario.compute.mean);
    CHECK(again.network.link.bytes_per_second == scenario.network.link.bytes_per_second);
    CHECK(again.network.payload_bytes == scenario.network.payload_bytes);
  }
}

TEST_CASE("YAML merge keys merge, the keys written beside them win, and x- keys hold anchors",
          "[sim][scenario]") {
  const std::string text = R"(x-base: &base {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 4}
name: merged
workers: 2
steps: 20
algorithm:
  <<: *base
  lr: 0.3
model: {kind: softmax}
data: {kind: synthetic, samples: 100, features: 3, classes: 2}
)";
  const Scenario s = sgdsim::load_scenario_text(text, "test.yaml");
  CHECK(s.algorithm.interval == 4);
  CHECK(s.algorithm.batch_size == 4);
  CHECK(s.algorithm.lr == 0.3);
}
