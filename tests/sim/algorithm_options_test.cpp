// The algorithm variants' options in a scenario: each kind's keys load into the spec, a key that
// belongs to another kind is an error naming its line (never silently ignored), and values that
// cannot work are refused with the reason. Also: validate's output loads back for every kind.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/scenario_errors.hpp"

namespace {

using sgdsim::testing::errors_of;
using sgdsim::testing::location;
using sgdsim::testing::message_with;

const std::string kBase = R"(name: variants
workers: 8
steps: 64
algorithm:
  kind: local_sgd
  interval: 4
  lr: 0.1
model: {kind: softmax}
data: {kind: synthetic, samples: 800, features: 5, classes: 3}
)";

// kBase with the algorithm's kind replaced and `extra` lines added to the algorithm section.
std::string variant(const std::string& kind, const std::string& extra = "") {
  std::string text = sgdsim::testing::with_line("  kind: local_sgd", "  kind: " + kind, kBase);
  if (!extra.empty()) text = sgdsim::testing::with_line("  lr: 0.1", "  lr: 0.1\n" + extra, text);
  return text;
}

sgdsim::AlgorithmSpec load(const std::string& text) {
  return sgdsim::load_scenario_text(text, "test.yaml").algorithm;
}

}  // namespace

TEST_CASE("each variant's options load into the algorithm spec", "[sim][scenario][variants]") {
  const auto nesterov = load(variant("local_sgd", "  momentum: 0.9\n  nesterov: true"));
  CHECK(nesterov.nesterov);
  CHECK(nesterov.momentum == 0.9);
  CHECK(load(variant("local_sgd", "  while_waiting: local_steps")).while_waiting ==
        sgdsim::WhileWaiting::local_steps);
  CHECK(load(variant("local_sgd")).while_waiting == sgdsim::WhileWaiting::idle);
  const auto slowmo = load(variant("slowmo", "  outer_lr: 1.5\n  outer_momentum: 0.6"));
  CHECK(slowmo.kind == sgdsim::AlgorithmKind::slowmo);
  CHECK(slowmo.outer_lr == 1.5);
  CHECK(slowmo.outer_momentum == 0.6);
  CHECK(load(variant("diloco", "  outer_lr: 0.7\n  outer_momentum: 0.9")).outer_lr == 0.7);
  CHECK(load(variant("fedavg", "  clients_per_round: 3")).clients_per_round == 3);
  CHECK(load(variant("easgd", "  elasticity: 0.1")).elasticity == 0.1);
  CHECK(load(variant("gossip", "  graph: torus")).graph == sgdsim::GossipGraph::torus);
  // gossip needs no interval (default 1); async_sgd has none.
  auto no_interval = sgdsim::testing::with_line("  interval: 4", "", variant("gossip"));
  CHECK(load(no_interval).interval == 1);
  no_interval = sgdsim::testing::with_line("  interval: 4", "", variant("async_sgd"));
  CHECK(load(no_interval).kind == sgdsim::AlgorithmKind::async_sgd);
}

TEST_CASE("bad variant options name the file, line and key and say why",
          "[sim][scenario][variants]") {
  struct Case {
    std::string text;
    std::string key;
    std::string line;     // the line the message must point at ("" : no line, e.g. missing)
    std::string because;  // a fragment of the explanation
  };
  const std::vector<Case> cases = {
      {variant("local_sgd", "  outer_lr: 2"), "algorithm.outer_lr", "  outer_lr: 2",
       "only used with kind: slowmo or diloco"},
      {variant("fedavg", "  clients_per_round: 9"), "algorithm.clients_per_round",
       "  clients_per_round: 9", "exceeds the 8 workers"},
      {variant("fedavg", "  clients_per_round: 0"), "algorithm.clients_per_round",
       "  clients_per_round: 0", ""},
      {variant("fedavg"), "algorithm.clients_per_round", "", "missing"},
      {variant("local_sgd", "  clients_per_round: 2"), "algorithm.clients_per_round",
       "  clients_per_round: 2", "only used with kind: fedavg"},
      {variant("slowmo", "  outer_lr: 1"), "algorithm.outer_momentum", "", "missing"},
      {variant("diloco", "  outer_momentum: 1.2"), "algorithm.outer_momentum",
       "  outer_momentum: 1.2", ""},
      {variant("diloco", "  outer_momentum: 0.9\n  outer_lr: 0"), "algorithm.outer_lr",
       "  outer_lr: 0", ""},
      {variant("local_sgd", "  nesterov: true"), "algorithm.nesterov", "  nesterov: true",
       "needs momentum"},
      {variant("local_sgd", "  while_waiting: sprint"), "algorithm.while_waiting",
       "  while_waiting: sprint", "idle"},
      {variant("fedavg", "  clients_per_round: 2\n  while_waiting: local_steps"),
       "algorithm.while_waiting", "  while_waiting: local_steps", "only used with kind"},
      {variant("easgd", "  elasticity: 0.2"), "algorithm.elasticity", "  elasticity: 0.2",
       "overshoot"},
      {variant("easgd", "  momentum: 0.9"), "algorithm.momentum", "  momentum: 0.9",
       "not used by easgd"},
      {variant("gossip", "  graph: star"), "algorithm.graph", "  graph: star", "torus"},
      {variant("local_sgd", "  graph: ring"), "algorithm.graph", "  graph: ring",
       "only used with kind: gossip"},
      {variant("async_sgd"), "algorithm.interval", "  interval: 4", "not used by async_sgd"},
      {variant("easgd", "  elasticity: 0.1\n  outer_momentum: 0.5"), "algorithm.outer_momentum",
       "  outer_momentum: 0.5", "only used with kind"},
      {variant("sgd"), "algorithm.kind", "  kind: sgd", "fedavg"},
      {sgdsim::testing::with_line("  interval: 4", "", variant("async_sgd")) +
           "network:\n  collective: ring_allreduce\n",
       "network.collective", "  collective: ring_allreduce", "parameter server"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const std::string message = message_with(errors_of(c.text), {c.key, c.because});
    if (!c.line.empty()) CHECK_THAT(message, Catch::StartsWith(location(c.text, c.line)));
    if (c.line.empty()) CHECK_THAT(message, Catch::StartsWith("test.yaml:"));
  }
}

TEST_CASE("validate's resolved scenario loads back for every variant",
          "[sim][scenario][variants]") {
  const std::vector<std::string> texts = {
      variant("local_sgd", "  momentum: 0.9\n  nesterov: true\n  while_waiting: local_steps"),
      variant("slowmo", "  outer_lr: 1.5\n  outer_momentum: 0.6"),
      variant("diloco", "  outer_lr: 0.7\n  outer_momentum: 0.9"),
      variant("fedavg", "  clients_per_round: 3"),
      variant("easgd", "  elasticity: 0.1"),
      variant("gossip", "  graph: complete"),
      sgdsim::testing::with_line("  interval: 4", "", variant("async_sgd")),
  };
  for (const std::string& text : texts) {
    INFO(text);
    const auto scenario = sgdsim::load_scenario_text(text, "test.yaml");
    const std::string resolved = sgdsim::scenario_to_json(scenario).dump(2);
    INFO(resolved);
    const auto again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
    CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
  }
}
