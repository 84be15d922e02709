#include "sim/runner/run_scenario.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include "models/data/csv.hpp"
#include "models/data/idx.hpp"
#include "models/data/libsvm.hpp"
#include "models/data/partition.hpp"
#include "models/data/random_subset.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/output/chrome_trace.hpp"
#include "sim/output/metrics_writer.hpp"
#include "sim/output/progress.hpp"
#include "sim/run/async_run.hpp"
#include "sim/runner/memory_guard.hpp"

namespace sgdsim {
namespace {

namespace fs = std::filesystem;

template <class Scalar>
void keep_first(Dataset<Scalar>& data, std::int64_t limit) {
  if (limit <= 0 || limit >= data.num_samples()) return;
  data.features.conservativeResize(Eigen::NoChange, limit);
  data.targets.conservativeResize(limit);
}

// `memory_limit`: bytes the data may take at most (0: no limit beyond each loader's own).
template <class Scalar>
TrainTestData<Scalar> load_data(const Scenario& s, double memory_limit) {
  const DataSpec& d = s.data;
  TrainTestData<Scalar> data;
  if (d.kind == "synthetic") {
    data = make_synthetic<Scalar>(d.synthetic, derive_seed(s.seed, "data"));
  } else if (d.kind == "csv") {
    const Task task = find_model(s.model.kind)->task;
    data.train = load_csv<Scalar>(d.path, task);
    if (!d.test_path.empty()) data.test = load_csv<Scalar>(d.test_path, task);
  } else if (d.kind == "libsvm") {
    LibsvmOptions options{find_model(s.model.kind)->task, d.features, d.limit, d.test_limit};
    if (memory_limit > 0) {
      options.max_dense_bytes =
          std::min(options.max_dense_bytes, static_cast<std::uint64_t>(memory_limit));
    }
    data = load_libsvm<Scalar>(d.path, d.test_path, options);
  } else {
    data = load_fashion_mnist<Scalar>(d.path, d.limit, d.test_limit);
  }
  keep_first(data.train, d.limit);
  if (data.test) keep_first(*data.test, d.test_limit);
  // Files read one at a time may disagree; the model would reject such a test set only at the
  // first measurement, mid-run, in terms of matrix shapes.
  if (data.test && d.kind != "synthetic") {
    check_test_fits_train(data.train, *data.test, d.test_path.empty() ? d.path : d.test_path);
  }
  return data;
}

[[noreturn]] void bad_scenario(const Scenario& s, const std::string& key, const std::string& what) {
  throw problem_with(s, key, what);
}

template <class Scalar>
RunOutcome run_typed(const Scenario& s, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  // Memory is checked before each large allocation: the data, then every worker's replicas.
  const bool fixed_limit = options.memory_limit_bytes > 0;
  std::string limit_source = "--memory-limit";
  const auto limit = [&]() -> std::optional<double> {
    if (fixed_limit) return options.memory_limit_bytes;
    return available_memory_bytes(&limit_source);
  };
  const auto data_need = synthetic_data_memory(s, sizeof(Scalar));
  if (const auto bytes = limit(); bytes && data_need) {
    check_memory(s, "data.samples", {*data_need}, *bytes, limit_source);
  }
  TrainTestData<Scalar> data;
  try {
    data = load_data<Scalar>(s, limit().value_or(0.0));
  } catch (const std::invalid_argument& e) {  // a generator's parameters that do not fit together
    bad_scenario(s, "data", e.what());
  } catch (const DataError& e) {  // the file's own message, placed at the key that names the file
    const std::string& test = s.data.test_path;
    const bool in_test =
        !test.empty() && std::string_view(e.what()).find(test) != std::string_view::npos;
    bad_scenario(s, in_test ? "data.test_path" : "data.path", e.what());
  }

  std::unique_ptr<Objective<Scalar>> objective;
  try {
    objective = make_objective<Scalar>(s.model, data.train.num_features(), data.train.num_classes);
  } catch (const std::invalid_argument& e) {
    bad_scenario(s, "model", e.what());
  }
  if (const auto bytes = limit()) {
    std::vector<MemoryNeed> needs = {replica_memory(s, objective->num_params(), sizeof(Scalar))};
    // Data already read is part of a fixed limit; the machine's MemAvailable has counted it.
    if (fixed_limit) needs.push_back(resident_data_memory(data));
    check_memory(s, "workers", needs, *bytes, limit_source);
  }
  // Class labels (classification only) for the label-based partitions and the histograms.
  std::vector<int> labels;
  if (data.train.num_classes > 0) {
    labels.resize(static_cast<std::size_t>(data.train.num_samples()));
    for (std::size_t i = 0; i < labels.size(); ++i) {
      labels[i] = static_cast<int>(std::lround(data.train.targets[static_cast<Eigen::Index>(i)]));
    }
  }
  const bool by_label =
      s.data.partition == PartitionKind::dirichlet || s.data.partition == PartitionKind::shards;
  std::vector<Shard> shards;
  try {
    shards = partition(s.data.partition_spec(), data.train.num_samples(), labels,
                       data.train.num_classes, s.workers, derive_seed(s.seed, "partition"));
  } catch (const std::invalid_argument& e) {
    bad_scenario(s, by_label ? "data.partition" : "workers", e.what());
  }
  std::vector<std::vector<std::int64_t>> histograms;
  if (data.train.num_classes > 0) {
    histograms = label_histograms(shards, labels, data.train.num_classes);
  }
  std::size_t smallest_shard = shards.front().size();
  for (const Shard& shard : shards) smallest_shard = std::min(smallest_shard, shard.size());
  if (s.algorithm.batch_size > static_cast<std::int64_t>(smallest_shard)) {
    bad_scenario(s, "algorithm.batch_size",
                 fmt::format("{} exceeds the {} samples of the smallest worker shard",
                             s.algorithm.batch_size, smallest_shard));
  }

  Rng init_rng(derive_seed(s.seed, "init"));
  TrainingProblem<Scalar> problem;
  problem.objective = objective.get();
  problem.data = &data;
  problem.shards = std::move(shards);
  problem.initial_params = objective->initial_params(s.model.init == InitKind::random, init_rng);
  problem.steps = s.steps;
  problem.seed = s.seed;
  problem.threads = options.threads;
  problem.measure_grad_norm = s.eval.grad_norm;
  // eval.samples: the same samples at every measurement, so the curve moves only with the model.
  std::optional<Dataset<Scalar>> eval_subset;
  if (s.eval.samples > 0 && s.eval.samples < data.train.num_samples()) {
    eval_subset = random_subset(data.train, s.eval.samples, derive_seed(s.seed, "eval_samples"));
    problem.eval_train = &*eval_subset;
  }
  // async_sgd has its own driver (sim/run/async_run.hpp); every other kind runs in rounds.
  const bool async = s.algorithm.kind == "async_sgd";
  std::unique_ptr<Algorithm> algorithm;
  std::unique_ptr<AsyncAlgorithm> async_algorithm;
  try {
    if (async) {
      async_algorithm = make_async_algorithm<Scalar>(s.algorithm, std::move(problem));
    } else {
      algorithm = make_algorithm<Scalar>(s.algorithm, std::move(problem));
    }
  } catch (const std::invalid_argument& e) {  // e.g. a torus that N workers cannot form
    bad_scenario(s, "algorithm", e.what());
  }

  // The flops compute kind times a step by the model's FLOPs for one mini-batch (`full`: a shard).
  const auto batch = s.algorithm.batch_size > 0 ? s.algorithm.batch_size
                                                : static_cast<std::int64_t>(smallest_shard);
  ComputeModel compute(s.compute, s.workers, s.seed, objective->flops_per_gradient(batch));
  std::optional<Network> network;
  // async_sgd talks to a parameter server: the parameter_server collective's topology has one.
  NetworkSpec network_spec = s.network;
  if (async) network_spec.collective = "parameter_server";
  try {
    network.emplace(network_spec, s.workers);
  } catch (const std::invalid_argument& e) {  // a topology the collective cannot run on
    bad_scenario(s, "network", e.what());
  }
  const double payload = payload_on_wire(
      s.network, async ? async_algorithm->payload_bytes() : algorithm->sync_payload_bytes());
  std::optional<AvailabilityModel> availability;
  try {
    if (s.availability.enabled()) availability.emplace(s.availability, s.workers, s.seed);
  } catch (const std::invalid_argument& e) {
    bad_scenario(s, "availability", e.what());
  }
  if (s.network.overlap && availability) {
    bad_scenario(s, "network.overlap",
                 "overlapping averaging with failing workers is not modelled; drop one of them");
  }
  const std::string& kind = s.algorithm.kind;
  const bool plain_rounds = kind == "local_sgd" || kind == "slowmo" || kind == "diloco";
  if (s.network.overlap && kind != "local_sgd") {
    bad_scenario(s, "network.overlap",
                 fmt::format("overlapped averaging is modelled for local_sgd, not {}", kind));
  }
  if (availability && !plain_rounds && kind != "easgd") {
    bad_scenario(
        s, "availability",
        fmt::format("failing workers are modelled for local_sgd, slowmo, diloco and easgd, "
                    "not {}",
                    kind));
  }
  if (s.algorithm.while_waiting == WhileWaiting::local_steps &&
      (availability || s.network.overlap)) {
    bad_scenario(s, "algorithm.while_waiting",
                 "local_steps is modelled without failures and without network.overlap");
  }
  const ClusterTiming timing{&compute, &*network, payload, availability ? &*availability : nullptr,
                             s.network.overlap};

  // Input is known good from here on; only now does the output directory appear.
  const fs::path out(options.out_dir);
  fs::create_directories(out);
  // Outputs of an earlier run into the same directory would mix with ours; a stale summary.json
  // would even mark this run complete.
  for (const char* name : {"summary.json", "metrics.csv", "trace.json", "model.csv"}) {
    fs::remove(out / name);
  }

  RunOutcome outcome;
  {
    MetricsWriter metrics((out / "metrics.csv").string());
    ObserverList observers;
    observers.add(&metrics);
    std::optional<ChromeTraceWriter> trace;
    if (s.output.trace) {
      trace.emplace((out / "trace.json").string(), s.name, s.workers, s.network.collective,
                    !s.network.overlap);
      observers.add(&*trace);
    }
    std::optional<ProgressReporter> progress;
    if (!options.quiet) {
      progress.emplace(s.steps, s.workers, isatty(fileno(stderr)) != 0);
      observers.add(&*progress);
    }
    if (async) {
      AsyncRun run(*async_algorithm, timing, s.eval.every, observers, options.stop_requested);
      outcome.result = run.run();
    } else {
      SynchronousRun run(*algorithm, timing, s.eval.every, observers, options.stop_requested,
                         options.threads, s.eval.step_averages);
      outcome.result = run.run();
    }
  }
  if (s.output.model) {
    std::ofstream model_out(out / "model.csv");
    if (async) {
      async_algorithm->write_model(model_out);
    } else {
      algorithm->write_average(model_out);
    }
    if (!model_out) throw std::runtime_error("cannot write " + (out / "model.csv").string());
  }

  RunFacts& facts = outcome.facts;
  facts.payload_bytes = payload;
  // The time of one full round: an allreduce, or gossip's neighbour exchange.
  const bool neighbors = algorithm && algorithm->exchange().kind == Exchange::Kind::neighbors;
  facts.collective_seconds =
      (neighbors ? network->neighbor_exchange_cost(algorithm->exchange().neighbors, payload)
                 : network->allreduce_cost(all_workers(s.workers), payload))
          .duration.seconds();
  facts.resources = network->resources();
  facts.speed_factors = compute.speed_factors();
  facts.straggler_steps = compute.straggler_steps();
  facts.window_steps = compute.window_steps();
  facts.train_samples = data.train.num_samples();
  facts.eval_train_samples = eval_subset ? eval_subset->num_samples() : data.train.num_samples();
  facts.test_samples = data.test ? data.test->num_samples() : 0;
  facts.samples_per_worker = static_cast<std::int64_t>(smallest_shard);
  facts.label_histograms = std::move(histograms);
  facts.parameters = objective->num_params();
  facts.wall_time_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  outcome.summary = summary_json(s, outcome.result, facts);
  write_file_atomically((out / "summary.json").string(), outcome.summary.dump(2) + "\n");
  return outcome;
}

}  // namespace

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
  if (scenario.precision == Precision::float64) return run_typed<double>(scenario, options);
  return run_typed<float>(scenario, options);
}

}  // namespace sgdsim
