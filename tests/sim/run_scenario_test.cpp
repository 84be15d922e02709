// run_scenario end to end on a tiny synthetic scenario: the files it writes, their determinism,
// their contents, divergence and input errors caught before anything is written.
#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/data/random_subset.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "sim/output/metrics_writer.hpp"
#include "sim/output/summary.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sgdsim::testing::lines_of;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

const std::string kTiny = R"(name: tiny
seed: 7
workers: 4
steps: 40
precision: float64
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 8}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, test_samples: 100, features: 5, classes: 3}
compute: {kind: lognormal, mean: 30ms, sigma: 0.2}
network: {latency: 50us, bandwidth: 10Gbps}
eval: {every: 10}
)";

sgdsim::RunOutcome run(const std::string& text, const fs::path& out,
                       const std::vector<std::string>& overrides = {}) {
  const sgdsim::Scenario scenario = sgdsim::load_scenario_text(text, "test.yaml", overrides);
  sgdsim::RunOptions options;
  options.out_dir = out.string();
  options.quiet = true;
  return sgdsim::run_scenario(scenario, options);
}

}  // namespace

TEST_CASE("metrics.csv has the documented header and one row per measurement",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  run(kTiny, dir / "out");
  const auto lines = lines_of(read_file(dir / "out" / "metrics.csv"));
  REQUIRE(!lines.empty());
  CHECK(lines.front() ==
        "step,sim_time_s,comm_rounds,bytes_sent,train_loss,grad_norm_sq,test_loss,test_accuracy");
  CHECK(lines.front() == sgdsim::MetricsWriter::header());
  REQUIRE(lines.size() == 1 + 5);  // steps 0, 10, 20, 30, 40
  std::vector<std::string> steps;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    steps.push_back(lines[i].substr(0, lines[i].find(',')));
    // Eight cells, every one filled: this data set has a test split.
    std::vector<std::string> cells;
    std::istringstream row(lines[i]);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    CHECK(cells.size() == 8);
    for (const auto& cell : cells) CHECK_FALSE(cell.empty());
  }
  CHECK(steps == std::vector<std::string>{"0", "10", "20", "30", "40"});
}

TEST_CASE("the same seed gives byte-identical metrics.csv, model.csv and trace.json",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  run(kTiny, dir / "a");
  run(kTiny, dir / "b");
  for (const char* file : {"metrics.csv", "model.csv", "trace.json"}) {
    INFO(file);
    const std::string a = read_file(dir / "a" / file);
    CHECK_FALSE(a.empty());
    CHECK(a == read_file(dir / "b" / file));
  }
}

TEST_CASE("a different seed gives a different metrics.csv", "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  run(kTiny, dir / "a");
  run(kTiny, dir / "b", {"seed=8"});
  CHECK(read_file(dir / "a" / "metrics.csv") != read_file(dir / "b" / "metrics.csv"));
}

TEST_CASE("summary.json parses, says ok and reports the run's rounds and times",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const sgdsim::RunOutcome outcome = run(kTiny, dir / "out");
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "ok");
  CHECK(summary.at("name") == "tiny");
  CHECK(summary.at("comm_rounds") == 10);
  CHECK(summary.at("workers") == 4);
  CHECK(summary.at("steps") == 40);
  CHECK(summary.at("final_step") == 40);
  CHECK(summary.at("sim_time_s").get<double>() == outcome.result.sim_time.seconds());
  CHECK(summary.at("payload_bytes").get<double>() == 18 * 8);
  const double fractions = summary.at("compute_fraction").get<double>() +
                           summary.at("communication_fraction").get<double>() +
                           summary.at("idle_fraction").get<double>();
  CHECK(fractions == Approx(1.0).epsilon(1e-12));
  REQUIRE(summary.at("per_worker").size() == 4);
  for (const auto& worker : summary.at("per_worker")) CHECK(worker.at("steps") == 40);
  CHECK_FALSE(fs::exists(dir / "out" / "summary.json.tmp"));
  // The summary's last loss is the last metrics row's.
  const auto lines = lines_of(read_file(dir / "out" / "metrics.csv"));
  std::istringstream last(lines.back());
  std::vector<std::string> cells;
  for (std::string cell; std::getline(last, cell, ',');) cells.push_back(cell);
  CHECK(std::stod(cells[4]) == summary.at("final_train_loss").get<double>());
}

// The per-worker tables are written an entry at a time (never held as one JSON document), in
// exactly the layout nlohmann gives a document holding them.
TEST_CASE("summary.json's streamed per-worker tables are laid out as nlohmann's dump",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const sgdsim::Scenario scenario = sgdsim::load_scenario_text(kTiny, "test.yaml", {});
  sgdsim::RunOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  const sgdsim::RunOutcome outcome = sgdsim::run_scenario(scenario, options);
  CHECK(outcome.summary.at("per_worker").is_null());  // placeholders in the document in memory
  CHECK(outcome.summary.at("links").is_null());
  const std::string text = read_file(dir / "out" / "summary.json");
  const auto parsed = nlohmann::ordered_json::parse(text);
  CHECK(text == parsed.dump(2) + "\n");
  CHECK(sgdsim::summary_text(outcome.summary, scenario, outcome.result, outcome.facts, -1) ==
        parsed.dump());
  REQUIRE(parsed.at("per_worker").size() == 4);
  double compute = 0.0;
  for (std::size_t w = 0; w < 4; ++w) {
    const auto& entry = parsed.at("per_worker")[w];
    CHECK(entry.at("worker") == w);
    CHECK(entry.at("compute_s").get<double>() == outcome.result.workers[w].compute.seconds());
    compute += entry.at("compute_s").get<double>();
  }
  CHECK(compute == Approx(parsed.at("compute_time_s").get<double>()).epsilon(1e-12));
  // Every link listed carried bytes, and each group's total is its links' sum.
  const auto& links = parsed.at("links");
  REQUIRE_FALSE(links.empty());
  std::map<std::string, double> by_group;
  for (const auto& link : links) {
    CHECK(link.at("bytes").get<double>() > 0);
    by_group[link.at("group").get<std::string>()] += link.at("bytes").get<double>();
  }
  for (const auto& group : parsed.at("link_groups")) {
    CHECK(group.at("bytes").get<double>() ==
          Approx(by_group[group.at("group").get<std::string>()]).epsilon(1e-12));
  }
}

TEST_CASE("trace.json parses and holds every worker's compute events", "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  run(kTiny, dir / "out");
  const json trace = json::parse(read_file(dir / "out" / "trace.json"));
  REQUIRE(trace.contains("traceEvents"));
  std::vector<int> computes_per_worker(4, 0);
  int collective_spans = 0;
  for (const auto& event : trace.at("traceEvents")) {
    if (event.value("ph", "") != "X") continue;
    CHECK(event.at("dur").get<double>() >= 0.0);
    if (event.value("cat", "") == "compute") {
      const int tid = event.at("tid").get<int>();
      REQUIRE(tid >= 0);
      REQUIRE(tid < 4);
      ++computes_per_worker[tid];
    }
    if (event.value("cat", "") == "communication") ++collective_spans;
  }
  CHECK(computes_per_worker == std::vector<int>{40, 40, 40, 40});
  // Each of the 10 rounds: one span per worker plus two phases on the network track.
  CHECK(collective_spans == 10 * (4 + 2));
}

TEST_CASE("a diverging scenario ends with status diverged and no nan or inf in metrics.csv",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const sgdsim::RunOutcome outcome =
      run(kTiny, dir / "out",
          {"model.kind=least_squares", "algorithm.lr=1e6", "steps=400", "precision=float32"});
  CHECK(outcome.result.status == sgdsim::RunStatus::diverged);
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "diverged");
  CHECK(summary.at("diverged").at("step").get<std::int64_t>() > 0);
  std::string metrics = read_file(dir / "out" / "metrics.csv");
  for (char& c : metrics) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(metrics.find("nan") == std::string::npos);
  CHECK(metrics.find("inf") == std::string::npos);
  CHECK(lines_of(metrics).size() >= 2);  // the header and at least the row at step 0
}

TEST_CASE("more workers than samples is a ConfigError raised before the out dir exists",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const fs::path out = dir / "never";
  try {
    run(kTiny, out, {"data.samples=3"});
    FAIL("no ConfigError");
  } catch (const sgdsim::ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("workers"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("test.yaml"));
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("data the generator rejects is a ConfigError before the out dir exists",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const fs::path out = dir / "never";
  // Label noise is a probability for classification; 2 is bad input, not an internal error.
  CHECK_THROWS_AS(run(kTiny, out, {"data.noise=2"}), sgdsim::ConfigError);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("a batch larger than a worker's shard is a ConfigError before the out dir exists",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  const fs::path out = dir / "never";
  try {
    run(kTiny, out, {"algorithm.batch_size=101"});  // 400 samples / 4 workers = 100 each
    FAIL("no ConfigError");
  } catch (const sgdsim::ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("algorithm.batch_size"));
  }
  CHECK_FALSE(fs::exists(out));
  CHECK_NOTHROW(run(kTiny, out, {"algorithm.batch_size=100"}));
}

TEST_CASE("a rerun into the same directory replaces its outputs and leaves no stale trace or model",
          "[sim][run_scenario]") {
  TempDir dir("run_scenario_test");
  run(kTiny, dir / "out");
  REQUIRE(fs::exists(dir / "out" / "trace.json"));
  REQUIRE(fs::exists(dir / "out" / "model.csv"));
  run(kTiny, dir / "out", {"output.trace=false", "output.model=false", "steps=20"});
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary.at("steps") == 20);
  CHECK(lines_of(read_file(dir / "out" / "metrics.csv")).back().rfind("20,", 0) == 0);
  // Files from the earlier run would sit beside this run's summary as if they were its own.
  CHECK_FALSE(fs::exists(dir / "out" / "trace.json"));
  CHECK_FALSE(fs::exists(dir / "out" / "model.csv"));
}

TEST_CASE("eval.grad_norm: false measures the training loss by a forward pass only",
          "[sim][run_scenario]") {
  const TempDir dir("run_no_grad_norm");
  run(kTiny, dir / "with");
  const auto outcome = run(kTiny, dir / "without", {"eval.grad_norm=false"});
  CHECK(outcome.result.status == sgdsim::RunStatus::ok);
  const auto with = lines_of(read_file(dir / "with" / "metrics.csv"));
  const auto without = lines_of(read_file(dir / "without" / "metrics.csv"));
  REQUIRE(with.size() == without.size());
  CHECK(without[0] == with[0]);  // same header
  for (std::size_t r = 1; r < with.size(); ++r) {
    const auto a = sgdsim::testing::cells_of(with[r]);
    auto b = sgdsim::testing::cells_of(without[r]);
    b.resize(a.size());
    INFO(with[r] << " vs " << without[r]);
    CHECK(b[5].empty());  // grad_norm_sq: not measured
    CHECK_FALSE(a[5].empty());
    CHECK(std::stod(b[4]) == Approx(std::stod(a[4])).epsilon(1e-12));  // train loss
    for (std::size_t c : {0U, 1U, 2U, 3U, 6U, 7U}) CHECK(b[c] == a[c]);
  }
  CHECK(read_file(dir / "with" / "model.csv") == read_file(dir / "without" / "model.csv"));
  const json summary = json::parse(read_file(dir / "without" / "summary.json"));
  CHECK(summary["final_grad_norm_sq"].is_null());
  CHECK(summary["scenario"]["eval"]["grad_norm"] == false);
}

TEST_CASE("eval.samples measures the training loss on a fixed seeded subset of the training set",
          "[sim][run_scenario]") {
  const TempDir dir("run_eval_samples");
  run(kTiny, dir / "all");
  const auto outcome = run(kTiny, dir / "subset", {"eval.samples=100"});
  CHECK(outcome.result.status == sgdsim::RunStatus::ok);
  // Measuring is not training: the model, and the test columns, are those of the full run.
  CHECK(read_file(dir / "all" / "model.csv") == read_file(dir / "subset" / "model.csv"));
  const auto all = lines_of(read_file(dir / "all" / "metrics.csv"));
  const auto subset = lines_of(read_file(dir / "subset" / "metrics.csv"));
  REQUIRE(all.size() == subset.size());

  // The last row's train loss is the final model's mean loss over exactly the subset.
  const sgdsim::Scenario scenario = sgdsim::load_scenario_text(kTiny, "test.yaml", {});
  const auto data = sgdsim::make_synthetic<double>(scenario.data.synthetic,
                                                   sgdsim::derive_seed(scenario.seed, "data"));
  const auto chosen =
      sgdsim::random_subset(data.train, 100, sgdsim::derive_seed(scenario.seed, "eval_samples"));
  const auto objective = sgdsim::make_objective<double>(scenario.model, data.train.num_features(),
                                                        data.train.num_classes);
  const auto params = lines_of(read_file(dir / "subset" / "model.csv"));
  Eigen::VectorXd model(static_cast<Eigen::Index>(params.size() - 1));
  for (Eigen::Index i = 0; i < model.size(); ++i) model[i] = std::stod(params[i + 1]);
  Eigen::VectorXd grad;
  const double subset_loss =
      objective->loss_and_gradient(model, chosen.features, chosen.targets, grad);
  const double full_loss =
      objective->loss_and_gradient(model, data.train.features, data.train.targets, grad);
  const auto last_subset = sgdsim::testing::cells_of(subset.back());
  const auto last_all = sgdsim::testing::cells_of(all.back());
  CHECK(std::stod(last_subset[4]) == Approx(subset_loss).epsilon(1e-12));
  CHECK(std::stod(last_all[4]) == Approx(full_loss).epsilon(1e-12));
  CHECK(subset_loss != Approx(full_loss).epsilon(1e-6));  // it did measure something else
  CHECK(last_subset[6] == last_all[6]);                   // test loss
  const json summary = json::parse(read_file(dir / "subset" / "summary.json"));
  CHECK(summary["eval_train_samples"] == 100);
  CHECK(summary["train_samples"] == 400);
  CHECK(summary["scenario"]["eval"]["samples"] == 100);

  SECTION("as many samples as the training set, or more, is the whole set") {
    run(kTiny, dir / "more", {"eval.samples=4000"});
    CHECK(read_file(dir / "more" / "metrics.csv") == read_file(dir / "all" / "metrics.csv"));
    CHECK(json::parse(read_file(dir / "more" / "summary.json"))["eval_train_samples"] == 400);
  }
}
