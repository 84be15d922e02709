#include "sim/runner/scenario_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "models/data/partition.hpp"
#include "models/data/random_subset.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/in_process_communicator.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/availability.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/async_run.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/runner/memory_guard.hpp"
#include "sim/runner/run_limits.hpp"
#include "sim/runner/training_data.hpp"
#include "sim/scenario/units.hpp"
#ifdef SGDSIM_HAVE_MPI
#include "sim/real/mpi_communicator.hpp"
#include "sim/real/mpi_world.hpp"
#include "sim/real/real_run.hpp"
#include "sim/real/worker_layout.hpp"
#endif

namespace sgdsim {

class ScenarioRun::Impl {
 public:
  virtual ~Impl() = default;
  virtual RunOutcome run(RunObserver& observer, const std::atomic<bool>* stop_requested) = 0;
  virtual void write_model(std::ostream& out) const = 0;
  virtual int rank() const = 0;
};

namespace {

[[noreturn]] void bad_scenario(const Scenario& s, const std::string& key, const std::string& what) {
  throw problem_with(s, key, what);
}

template <class Scalar>
class TypedRun final : public ScenarioRun::Impl {
 public:
  TypedRun(const Scenario& s, const RunSetup& setup);
  RunOutcome run(RunObserver& observer, const std::atomic<bool>* stop_requested) override;
  void write_model(std::ostream& out) const override;
  int rank() const override { return rank_; }

 private:
  RunOutcome run_real(RunObserver& observer, const std::atomic<bool>* stop_requested);

  Scenario s;
  RunSetup setup;
  std::chrono::steady_clock::time_point wall_start = std::chrono::steady_clock::now();
  TrainTestData<Scalar> data;
  std::unique_ptr<Objective<Scalar>> objective;
  std::optional<Dataset<Scalar>> eval_subset;
  LabelHistograms histograms;
  std::size_t smallest_shard = 0;
  std::int64_t batch = 0;
  bool async = false;
  InProcessCommunicator<Scalar> communicator;
  std::unique_ptr<Communicator<Scalar>> real_communicator;  // --real: the MPI one
  WorkerRange local;  // the workers this process holds (count 0: all)
  int rank_ = 0;
  std::unique_ptr<ReplicaAlgorithm<Scalar>> algorithm;
  std::unique_ptr<ModelProbe> probe;
  std::unique_ptr<AsyncAlgorithm> async_algorithm;
  std::optional<ComputeModel> compute;
  std::optional<Network> network;
  std::optional<AvailabilityModel> availability;
  ClusterTiming timing;
  double payload = 0.0;
};

template <class Scalar>
TypedRun<Scalar>::TypedRun(const Scenario& s, const RunSetup& setup) : s(s), setup(setup) {
  // Memory is checked before each large allocation: the data, then every worker's replicas.
  const bool fixed_limit = setup.memory_limit_bytes > 0;
  std::string limit_source = "--memory-limit";
  const auto limit = [&]() -> std::optional<double> {
    if (fixed_limit) return setup.memory_limit_bytes;
    return available_memory_bytes(&limit_source);
  };
  const auto data_need = synthetic_data_memory(s, sizeof(Scalar));
  if (const auto bytes = limit(); bytes && data_need) {
    check_memory(s, "data.samples", {*data_need}, *bytes, limit_source);
  }
  try {
    data = load_training_data<Scalar>(s, limit().value_or(0.0));
  } catch (const std::invalid_argument& e) {  // a generator's parameters that do not fit together
    bad_scenario(s, "data", e.what());
  } catch (const DataError& e) {  // the file's own message, placed at the key that names the file
    const std::string& test = s.data.test_path;
    const bool in_test =
        !test.empty() && std::string_view(e.what()).find(test) != std::string_view::npos;
    bad_scenario(s,
                 s.data.kind == "arrays" ? "data.kind"
                 : in_test               ? "data.test_path"
                                         : "data.path",
                 e.what());
  }

  try {
    objective = make_objective<Scalar>(s.model, data.train.num_features(), data.train.num_classes,
                                       data.train.image);
  } catch (const std::invalid_argument& e) {
    // A layer's problem names the layer first ("layers[3]: …"): placed at that list entry.
    const std::string what = e.what();
    const auto colon = what.find(": ");
    if (what.rfind("layers[", 0) == 0 && colon != std::string::npos) {
      bad_scenario(s, "model." + what.substr(0, colon), what.substr(colon + 2));
    }
    if (what.rfind("input_shape ", 0) == 0) bad_scenario(s, "model.input_shape", what.substr(12));
    bad_scenario(s, "model", what);
  }
  if (objective->num_state() > 0 && s.algorithm.batch_size == 0) {
    bad_scenario(s, "algorithm.batch_size",
                 fmt::format("0 (the whole shard) cannot train {}: its batch-norm statistics move "
                             "with mini-batches; give a batch size",
                             s.model.kind));
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
  Partition shards;
  try {
    shards = partition(s.data.partition_spec(), data.train.num_samples(), labels,
                       data.train.num_classes, s.workers, derive_seed(s.seed, "partition"));
  } catch (const std::invalid_argument& e) {
    bad_scenario(s, by_label ? "data.partition" : "workers", e.what());
  }
  if (data.train.num_classes > 0) {
    histograms = LabelHistograms(shards, labels, data.train.num_classes);
  }
  smallest_shard = shards[0].size();
  for (Shard shard : shards) smallest_shard = std::min(smallest_shard, shard.size());
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
  problem.threads = setup.threads;
  problem.measure_grad_norm = s.eval.grad_norm;
  if (s.data.augment.enabled()) {
    if (!data.train.image) {  // a guard: load.cpp accepts augment only for the image kinds
      bad_scenario(s, "data.augment", "crops and flips images; these samples are not images");
    }
    problem.augment = s.data.augment;
  }
  // eval.samples: the same samples at every measurement, so the curve moves only with the model.
  if (s.eval.samples > 0 && s.eval.samples < data.train.num_samples()) {
    eval_subset = random_subset(data.train, s.eval.samples, derive_seed(s.seed, "eval_samples"));
    problem.eval_train = &*eval_subset;
  }
  if (setup.real) {
    check_real_execution(s);
#ifdef SGDSIM_HAVE_MPI
    const MpiWorld& world = MpiWorld::get();
    if (world.size() > s.workers) {
      bad_scenario(s, "workers",
                   fmt::format("{} workers cannot fill {} MPI ranks: start at most {} (mpirun -np)",
                               s.workers, world.size(), s.workers));
    }
    rank_ = world.rank();
    local = workers_of_rank(rank_, world.size(), s.workers);
    real_communicator =
        std::make_unique<MpiCommunicator<Scalar>>(world, s.workers, setup.real->reduction);
#else
    bad_scenario(s, "workers",
                 "this sgdsim was built without MPI, so --real cannot run it; install OpenMPI "
                 "(scripts/setup does) and rebuild");
#endif
  }
  // async_sgd has its own driver (sim/run/async_run.hpp); every other kind runs in rounds.
  async = !algorithm_info(s.algorithm.kind).can.rounds;
  try {
    if (async) {
      async_algorithm = make_async_algorithm<Scalar>(s.algorithm, std::move(problem));
    } else {
      Communicator<Scalar>* channel = real_communicator ? real_communicator.get() : &communicator;
      algorithm = make_algorithm<Scalar>(s.algorithm, std::move(problem), channel, local);
      probe = std::make_unique<AveragedModelProbe<Scalar>>(*algorithm, rank_ == 0);
    }
  } catch (const std::invalid_argument& e) {  // e.g. a torus that N workers cannot form
    bad_scenario(s, "algorithm", e.what());
  }

  // The flops compute kind times a step by the model's FLOPs for one mini-batch (`full`: a shard).
  batch = s.algorithm.batch_size > 0 ? s.algorithm.batch_size
                                     : static_cast<std::int64_t>(smallest_shard);
  try {
    compute.emplace(s.compute, s.workers, s.seed, objective->flops_per_gradient(batch));
  } catch (const DataError& e) {  // the step-time file's own message, at the key that names it
    bad_scenario(s, s.compute.times_in_memory ? "compute.times" : "compute.path", e.what());
  }
  // async_sgd talks to a parameter server: the parameter_server collective's topology has one.
  NetworkSpec network_spec = s.network;
  if (async) network_spec.collective = "parameter_server";
  try {
    network.emplace(network_spec, s.workers);
  } catch (const std::invalid_argument& e) {  // a topology the collective cannot run on
    bad_scenario(s, "network", e.what());
  }
  const double payload = payload_on_wire(
      s.network, async ? async_algorithm->payload_bytes() : algorithm->rounds().payload_bytes());
  try {
    if (s.availability.enabled()) availability.emplace(s.availability, s.workers, s.seed);
  } catch (const std::invalid_argument& e) {
    bad_scenario(s, "availability", e.what());
  }
  check_simulated_time_fits(s, *compute, objective->flops_per_gradient(batch), *network, payload,
                            async);
  check_trace_fits(s, async);
  timing = ClusterTiming{&*compute, &*network, payload, availability ? &*availability : nullptr,
                         s.network.overlap};
  this->payload = payload;
}

template <class Scalar>
RunOutcome TypedRun<Scalar>::run(RunObserver& observer, const std::atomic<bool>* stop_requested) {
  RunOutcome outcome;
  if (setup.real) {
    outcome = run_real(observer, stop_requested);
  } else if (async) {
    AsyncRun run(*async_algorithm, timing, s.eval.every, observer, stop_requested);
    outcome.result = run.run();
    outcome.model = async_algorithm->model();
  } else {
    SynchronousRun run(*algorithm, *probe, timing, s.eval.every, observer, stop_requested,
                       setup.threads, s.eval.step_averages);
    outcome.result = run.run();
    outcome.model = probe->final_model();
  }

  RunFacts& facts = outcome.facts;
  facts.payload_bytes = payload;
  // The time of one full round: an allreduce, or gossip's neighbour exchange.
  const bool neighbors =
      algorithm && algorithm->rounds().exchange().kind == Exchange::Kind::neighbors;
  facts.collective_seconds = (neighbors ? network->neighbor_exchange_cost(
                                              algorithm->rounds().exchange().neighbors, payload)
                                        : network->allreduce_cost(all_workers(s.workers), payload))
                                 ->duration.seconds();
  if (algorithm && algorithm->rounds().levels() > 1) {
    for (int level = 0; level < algorithm->rounds().levels(); ++level) {
      const int group_size = algorithm->rounds().group_size(level);
      facts.level_collective_seconds.push_back(
          network->allreduce_cost(all_workers(group_size), payload)->duration.seconds());
    }
  }
  facts.resources = network->resources();
  facts.speed_factors = compute->speed_factors();
  facts.straggler_steps = compute->straggler_steps();
  facts.window_steps = compute->window_steps();
  facts.train_samples = data.train.num_samples();
  facts.eval_train_samples = eval_subset ? eval_subset->num_samples() : data.train.num_samples();
  facts.test_samples = data.test ? data.test->num_samples() : 0;
  facts.samples_per_worker = static_cast<std::int64_t>(smallest_shard);
  facts.label_histograms = std::move(histograms);
  facts.parameters = objective->num_params();
  if (!facts.real)
    facts.wall_time_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  outcome.summary = summary_json(s, outcome.result, facts);
  return outcome;
}

template <class Scalar>
RunOutcome TypedRun<Scalar>::run_real(RunObserver& observer,
                                      const std::atomic<bool>* stop_requested) {
  RunOutcome outcome;
#ifdef SGDSIM_HAVE_MPI
  const MpiWorld& world = MpiWorld::get();
  RealFacts real;
  real.ranks = world.size();
  real.hosts = world.host_names();
  real.reduction = setup.real->reduction == Reduction::ordered ? "ordered" : "allreduce";
  real.emulated_compute = setup.real->emulate_compute;
  RealRun run(*algorithm, local, *probe, world, setup.real->emulate_compute ? &*compute : nullptr,
              *network, payload, s.eval.every, observer, stop_requested);
  RealRunResult measured = run.run();
  outcome.result = std::move(measured.result);
  real.measurement_s = measured.measurement_s;
  real.wall_s = measured.wall_s;
  real.rank_elapsed_s = std::move(measured.rank_elapsed_s);
  real.emulation_late_s = measured.late_s;
  outcome.facts.real = std::move(real);
  outcome.facts.wall_time_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  outcome.model = probe->final_model();
#else
  (void)observer;
  (void)stop_requested;
#endif
  return outcome;
}

template <class Scalar>
void TypedRun<Scalar>::write_model(std::ostream& out) const {
  if (async) {
    async_algorithm->write_model(out);
  } else {
    probe->write_model(out);
  }
}

}  // namespace

ScenarioRun::ScenarioRun(const Scenario& scenario, const RunSetup& setup) {
  if (scenario.precision == Precision::float64) {
    impl_ = std::make_unique<TypedRun<double>>(scenario, setup);
  } else {
    impl_ = std::make_unique<TypedRun<float>>(scenario, setup);
  }
}

ScenarioRun::~ScenarioRun() = default;

RunOutcome ScenarioRun::run(RunObserver& observer, const std::atomic<bool>* stop_requested) {
  return impl_->run(observer, stop_requested);
}

void ScenarioRun::write_model(std::ostream& out) const {
  impl_->write_model(out);
}

int ScenarioRun::rank() const {
  return impl_->rank();
}

void check_real_execution(const Scenario& s) {
  const AlgorithmInfo& info = algorithm_info(s.algorithm.kind);
  if (!info.can.real) {
    const std::string because =
        info.simulated_only_because.empty() ? "" : ": " + info.simulated_only_because;
    bad_scenario(s, "algorithm.kind",
                 fmt::format("{} runs only simulated{}; --real runs {}", info.name, because,
                             kinds_with(&AlgorithmCapabilities::real, " and ")));
  }
  if (s.availability.enabled()) {
    bad_scenario(s, "availability",
                 "failing workers are simulated only (a real run executes the algorithm, not a "
                 "model of the cluster); drop availability for --real");
  }
  if (s.network.overlap) {
    bad_scenario(s, "network.overlap",
                 "overlapped averaging is simulated only; set it to false for --real");
  }
  if (s.eval.step_averages) {
    bad_scenario(s, "eval.step_averages",
                 "measuring x̄ after every step is simulated only; drop it for --real");
  }
}

}  // namespace sgdsim
