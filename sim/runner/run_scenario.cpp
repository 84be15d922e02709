#include "sim/runner/run_scenario.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
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
#include "sim/output/directory_lock.hpp"
#include "sim/output/metrics_writer.hpp"
#include "sim/output/progress.hpp"
#include "sim/run/async_run.hpp"
#include "sim/runner/input_fingerprints.hpp"
#include "sim/runner/memory_guard.hpp"
#include "sim/scenario/units.hpp"

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
    // The file's text is held while it is parsed: it alone must fit in what the run may use.
    const std::uint64_t max_bytes =
        memory_limit > 0
            ? std::min<std::uint64_t>(kMaxDataFileBytes, static_cast<std::uint64_t>(memory_limit))
            : kMaxDataFileBytes;
    data.train = load_csv<Scalar>(d.path, task, max_bytes);
    if (!d.test_path.empty()) data.test = load_csv<Scalar>(d.test_path, task, max_bytes);
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

// Rounds a run will take: exact for a fixed interval, at most one per step otherwise (async_sgd:
// one gradient per worker step).
double planned_rounds(const Scenario& s, bool async) {
  const auto steps = static_cast<double>(s.steps);
  if (async) return steps * s.workers;
  const IntervalKind kind = s.algorithm.interval_schedule.kind;
  if (kind == IntervalKind::fixed || kind == IntervalKind::theory) {
    return std::ceil(steps / static_cast<double>(s.algorithm.interval));
  }
  return steps;
}

// A trace holds a span per local step and about 2N + 4 per round: refused before the run when
// even that lower estimate passes output.trace_limit (an accidental `steps: 1e9` would otherwise
// write gigabytes a minute).
void check_trace_fits(const Scenario& s, bool async) {
  if (!s.output.trace) return;
  const double spans = static_cast<double>(s.steps) * s.workers +
                       (async ? 0.0 : planned_rounds(s, async) * (2.0 * s.workers + 4));
  const double bytes = spans * ChromeTraceWriter::kMinBytesPerSpan;
  if (bytes <= s.output.trace_limit_bytes) return;
  bad_scenario(s, "output.trace",
               fmt::format("trace.json would take at least {:.3g} GB ({} workers × {} steps), more "
                           "than output.trace_limit ({:.3g} GB); set output.trace: false, or raise "
                           "output.trace_limit",
                           bytes / 1e9, s.workers, s.steps, s.output.trace_limit_bytes / 1e9));
}

// The simulated clock (int64 ns) holds 292 years. A run whose steps and rounds alone would take
// longer is refused here, at the keys that make it so, instead of overflowing mid-run.
void check_simulated_time_fits(const Scenario& s, const ComputeModel& compute,
                               double flops_per_step, Network& network, double payload,
                               bool async) {
  constexpr double kClockSeconds = 9.2e9;
  double slowest = 1.0;  // the slowest worker's step-time multiplier
  for (double speed : compute.speed_factors()) slowest = std::max(slowest, 1.0 / speed);
  slowest *= 1.0 + s.compute.stragglers.probability * (s.compute.stragglers.slowdown - 1.0);
  double step_s = s.compute.mean.seconds();
  if (s.compute.kind == "flops") {
    step_s = flops_per_step / (s.compute.flops_per_second * s.compute.efficiency);
  } else if (s.compute.kind == "empirical") {
    step_s = 0.0;  // its file's values are checked where they are read
  }
  double round_s = 0.0;
  try {
    round_s = network.allreduce_cost(all_workers(s.workers), payload).duration.seconds();
  } catch (const std::overflow_error&) {
    round_s = std::numeric_limits<double>::infinity();
  }
  const auto steps = static_cast<double>(s.steps);
  const double rounds = planned_rounds(s, async);
  const double steps_s = steps * step_s * slowest;
  const double rounds_s = rounds * round_s;
  if (steps_s + rounds_s <= kClockSeconds) return;
  if (steps_s >= rounds_s) {
    bad_scenario(s, s.key_locations.count("compute.mean") ? "compute.mean" : "steps",
                 fmt::format("{} steps of about {:.3g} s each would simulate {:.3g} s, beyond the "
                             "simulated clock's {:.3g} s (292 years); shorten the steps or their "
                             "time",
                             s.steps, step_s * slowest, steps_s, kClockSeconds));
  }
  // An explicit payload is the likelier mistake; with payload: auto it is the bandwidth.
  const std::string key = s.network.payload_bytes ? "network.payload" : "network.bandwidth";
  bad_scenario(s, key,
               fmt::format("{:.0f} rounds of about {:.3g} s each (a {:.3g}-byte payload) would "
                           "simulate {:.3g} s, beyond the simulated clock's {:.3g} s (292 years)",
                           rounds, round_s, payload, rounds_s, kClockSeconds));
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
  std::optional<ComputeModel> compute_model;
  try {
    compute_model.emplace(s.compute, s.workers, s.seed, objective->flops_per_gradient(batch));
  } catch (const DataError& e) {  // the step-time file's own message, at the key that names it
    bad_scenario(s, "compute.path", e.what());
  }
  ComputeModel& compute = *compute_model;
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
  check_simulated_time_fits(s, compute, objective->flops_per_gradient(batch), *network, payload,
                            async);
  check_trace_fits(s, async);
  const ClusterTiming timing{&compute, &*network, payload, availability ? &*availability : nullptr,
                             s.network.overlap};

  if (options.check_only) return {};
  // Input is known good from here on; only now does the output directory appear.
  const fs::path out(options.out_dir);
  fs::create_directories(out);
  const DirectoryLock lock(out.string());
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
                    !s.network.overlap, s.output.trace_limit_bytes);
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
    metrics.close();
    if (trace) {
      trace->close();
      outcome.facts.trace_truncated = trace->truncated();
    }
  }
  if (s.output.model) {
    std::ostringstream model_text;
    if (async) {
      async_algorithm->write_model(model_text);
    } else {
      algorithm->write_average(model_text);
    }
    OutputFile model_out((out / "model.csv").string());
    model_out.write(model_text.str());
    model_out.close();
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
  outcome.summary["inputs"] = input_fingerprints(s);
  write_file_atomically((out / "summary.json").string(), outcome.summary.dump(2) + "\n");
  return outcome;
}

}  // namespace

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
  if (scenario.precision == Precision::float64) return run_typed<double>(scenario, options);
  return run_typed<float>(scenario, options);
}

}  // namespace sgdsim
