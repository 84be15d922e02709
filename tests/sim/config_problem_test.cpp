// ConfigError's problems carry their place (file, line, column, key) apart from the message:
// the Python module's ScenarioError hands them on as attributes.
#include <catch2/catch.hpp>

#include "sim/scenario/scenario.hpp"

namespace {

const char* kScenario =
    "workers: 2\n"
    "steps: 10\n"
    "algorithm: {kind: local_sgd, interval: 2, lr: 0.1}\n"
    "model: {kind: softmax}\n"
    "data: {kind: synthetic, samples: 100, features: 4, classes: 2}\n";

std::vector<sgdsim::ConfigProblem> problems_of(const std::string& text,
                                               const std::vector<std::string>& overrides = {}) {
  try {
    (void)sgdsim::load_scenario_text(text, "s.yaml", overrides);
  } catch (const sgdsim::ConfigError& e) {
    REQUIRE(e.problems().size() == e.messages().size());
    return e.problems();
  }
  FAIL("no ConfigError");
  return {};
}

}  // namespace

TEST_CASE("a problem in the file has its line, column and key", "[sim][scenario]") {
  const auto problems = problems_of(std::string(kScenario) + "eval: {every: -1}\n");
  REQUIRE(problems.size() == 1);
  const auto& p = problems.front();
  CHECK(p.place.file == "s.yaml");
  CHECK(p.place.line == 6);
  CHECK(p.place.column == 15);
  CHECK_FALSE(p.place.set);
  CHECK(p.key == "eval.every");
  CHECK(p.message == "s.yaml:6:15: eval.every: " + p.what);
}

TEST_CASE("a problem with a --set key is marked set and has no line", "[sim][scenario]") {
  const auto problems = problems_of(kScenario, {"algorithm.lr=-1"});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].place.set);
  CHECK(problems[0].place.line == 0);
  CHECK(problems[0].key == "algorithm.lr");
  CHECK(problems[0].message == "s.yaml: --set algorithm.lr: " + problems[0].what);
}

TEST_CASE("every problem is listed, each with its own key", "[sim][scenario]") {
  const auto problems = problems_of(
      "workers: 0\nsteps: 0\nalgorithm: {kind: local_sgd, interval: 2, lr: 0.1}\n"
      "model: {kind: softmax}\ndata: {kind: synthetic}\n");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].key == "workers");
  CHECK(problems[1].key == "steps");
  CHECK(problems[1].place.line == 2);
}

TEST_CASE("a syntax error and a missing file are placed at the file", "[sim][scenario]") {
  const auto syntax = problems_of("workers: [1\n");
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].place.file == "s.yaml");
  CHECK(syntax[0].place.line > 0);
  CHECK(syntax[0].key.empty());
  try {
    (void)sgdsim::load_scenario_file("/nonexistent/s.yaml");
    FAIL("loaded a missing file");
  } catch (const sgdsim::ConfigError& e) {
    CHECK(e.problems().front().place.file == "/nonexistent/s.yaml");
    CHECK(e.problems().front().key.empty());
  }
}

TEST_CASE("a problem found after loading is placed at the key's line", "[sim][scenario]") {
  const sgdsim::Scenario s = sgdsim::load_scenario_text(kScenario, "s.yaml");
  const sgdsim::ConfigError e = sgdsim::problem_with(s, "algorithm.batch_size", "too large");
  const auto& p = e.problems().front();
  CHECK(p.key == "algorithm.batch_size");
  CHECK(p.place.line == 3);  // the nearest key written: algorithm
  CHECK(p.message == "s.yaml:3:12: algorithm.batch_size: too large");
}
