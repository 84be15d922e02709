// The typed, validated form of a scenario file. Nothing past sim/scenario/ sees YAML.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/data/partition.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/cluster/availability.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"

namespace sgdsim {

enum class Precision { float32, float64 };

struct DataSpec {
  std::string kind = "synthetic";  // synthetic | csv | libsvm | fashion_mnist
  PartitionKind partition = PartitionKind::iid;
  double alpha = 0.5;           // dirichlet: concentration
  int labels_per_worker = 2;    // shards: shards (labels) per worker
  std::string path;             // csv, libsvm: the training file; fashion_mnist: the directory
  std::string test_path;        // csv, libsvm: optional test file
  std::int64_t features = 0;    // libsvm: d (0: the largest index in either file)
  std::int64_t limit = 0;       // use at most this many training samples (0: all)
  std::int64_t test_limit = 0;  // and test samples
  SyntheticSpec synthetic;

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
  std::string key;                  // grid: the key path; linked: the axis's name
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
  // key path → where it was written ("file:line:column", or "--set"), for problems found after
  // loading, once the data is read
  std::map<std::string, std::string> key_locations;
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

// Bad scenario input. Each message reads "file:line:column: key.path: what is wrong".
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> messages);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// Where a key came from when it was given on the command line rather than in a file.
inline constexpr const char* kSetOrigin = "--set";

// "where: key.path: what" ("source: --set key.path: what" for a key given with --set).
std::string describe_problem(const std::string& source, const std::string& where,
                             const std::string& path, const std::string& what);

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
