// The typed, validated form of a scenario file. Nothing past sim/scenario/ sees YAML.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/data/array_data.hpp"
#include "models/data/augment.hpp"
#include "models/data/partition.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/cluster/availability.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"

namespace sgdsim {

enum class Precision { float32, float64 };

// Where a scenario key was written: a file's line and column, or the command line (--set).
struct SourcePlace {
  std::string file;          // the scenario, or the cluster file a key was merged in from
  int line = 0, column = 0;  // 1-based; 0: not known (a problem with the whole file)
  bool set = false;          // given with --set (the file is then the scenario it applies to)
};

struct DataSpec {
  std::string kind = "synthetic";  // synthetic | csv | libsvm | fashion_mnist | cifar10 | arrays
  PartitionKind partition = PartitionKind::iid;
  double alpha = 0.5;           // dirichlet: concentration
  int labels_per_worker = 2;    // shards: shards (labels) per worker
  std::string path;             // csv, libsvm: the training file; image kinds: the directory
  std::string test_path;        // csv, libsvm: optional test file
  std::int64_t features = 0;    // libsvm: d (0: the largest index in either file)
  std::int64_t limit = 0;       // use at most this many training samples (0: all)
  std::int64_t test_limit = 0;  // and test samples
  SyntheticSpec synthetic;
  // The image kinds (fashion_mnist, cifar10): random crop and flip of every mini-batch drawn for a
  // local step (never of evaluation data).
  AugmentSpec augment;
  // arrays: the samples, attached by the Python module (a scenario file cannot give them)
  std::shared_ptr<const ArrayData> arrays;

  PartitionSpec partition_spec() const { return {partition, alpha, labels_per_worker}; }
};

struct EvalSpec {
  std::int64_t every = 100;  // 0: only at the start and the end
  bool grad_norm = true;     // false: train loss by a forward pass only; grad_norm_sq left empty
  std::int64_t samples = 0;  // train metrics on a fixed seeded subset of this many samples (0: all)
  // Measure f(x̄_t) and ‖∇f(x̄_t)‖² at every step t = 0 … T−1 and report their means, the
  // quantity of Yu, Yang & Zhu's Theorem 1, without a metrics row per step.
  bool step_averages = false;
};

struct OutputSpec {
  bool trace = true;
  bool model = true;
  // trace.json's largest size: a run whose trace is estimated larger is refused, and a trace that
  // grows past it anyway (failures are not known in advance) stops there, marked in summary.json.
  double trace_limit_bytes = 1024.0 * 1024 * 1024;
};

// `sweep:` — many runs of one scenario: the cartesian product of the `grid` axes (key paths as
// --set takes them, in the order written) and then the `linked` axes (each value a map of keys
// set together, e.g. {workers: 4, steps: 1024}); the last axis varies fastest. Each point runs
// `replicates` times.
struct SweepAxis {
  std::string key;  // grid: the key path; linked: the axis's name
  bool linked = false;
  std::vector<std::string> values;  // each as YAML text (flow style), for tables and messages
  // What each value sets: "key.path=value" (--set form); one entry per grid value.
  std::vector<std::vector<std::string>> assignments;
};

struct SweepSpec {
  std::vector<SweepAxis> axes;
  int replicates = 1;  // replicate 0 runs with the scenario's seed, r ≥ 1 with a derived one

  bool enabled() const { return !axes.empty() || replicates > 1; }
};

struct Scenario {
  std::string source;  // the file it came from, for messages
  // key path → where it was written, for problems found after loading, once the data is read
  std::map<std::string, SourcePlace> key_locations;
  std::string name;
  std::string cluster;  // the cluster file it included, if any (its values are already merged in)
  std::uint64_t seed = 0;
  int workers = 1;
  std::int64_t steps = 0;
  Precision precision = Precision::float32;
  AlgorithmSpec algorithm;
  ModelSpec model;
  DataSpec data;
  ComputeSpec compute;
  NetworkSpec network;
  AvailabilitySpec availability;
  EvalSpec eval;
  OutputSpec output;
  SweepSpec sweep;  // read by `sgdsim sweep`; a single run ignores it
};

// One problem with a scenario: where it is, and the message that says so,
// "file:line:column: key.path: what" ("file: --set key.path: what" for a key given with --set).
struct ConfigProblem {
  SourcePlace place;
  std::string key;  // the key path at fault; empty: the file as a whole
  std::string what;
  std::string message;

  ConfigProblem(SourcePlace place, std::string key, std::string what);
  // A problem known only by its message (e.g. an unreadable file).
  explicit ConfigProblem(std::string message) : message(std::move(message)) {}
};

// Bad scenario input: every problem found, in the order found.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigProblem> problems);
  explicit ConfigError(const std::vector<std::string>& messages);
  const std::vector<ConfigProblem>& problems() const { return problems_; }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<ConfigProblem> problems_;
  std::vector<std::string> messages_;
};

// A problem with `key` found after loading (e.g. more workers than the data file has samples),
// located at the key, or at its nearest enclosing key that was written, or else at the file.
ConfigError problem_with(const Scenario& scenario, const std::string& key, const std::string& what);

// Loads, applies `overrides` ("key.path=value", YAML values) and validates; throws ConfigError
// with every problem found.
Scenario load_scenario_file(const std::string& path,
                            const std::vector<std::string>& overrides = {});
// The same for text in memory; `source` names it in messages.
Scenario load_scenario_text(const std::string& text, const std::string& source,
                            const std::vector<std::string>& overrides = {});

const char* to_string(Precision precision);

}  // namespace sgdsim
