// Reads a scenario file into a Scenario, collecting every problem before reporting.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "models/data/cifar10.hpp"
#include "models/data/idx.hpp"
#include "models/data/libsvm.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/interval_schedule.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/scenario/cluster_include.hpp"
#include "sim/scenario/combination_checks.hpp"
#include "sim/scenario/input_files.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/section_readers.hpp"
#include "sim/scenario/yaml_features.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sgdsim {
namespace {

using yaml::check_yaml_features;
using yaml::Diagnostics;
using yaml::duplicate_keys;
using yaml::second_document_line;
using yaml::Section;

// Applies "a.b.c=value"; the value is parsed as YAML so lists and numbers keep their types.
void apply_override(YAML::Node& root, const std::string& assignment, Diagnostics& diagnostics) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError({fmt::format("--set '{}': expected key.path=value", assignment)});
  }
  const std::string path = assignment.substr(0, equals);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError({fmt::format("--set {}: cannot parse the value: {}", path, e.msg)});
  }
  std::vector<std::string> keys;
  std::stringstream stream(path);
  for (std::string key; std::getline(stream, key, '.');) keys.push_back(key);
  if (path.back() == '.' || std::find(keys.begin(), keys.end(), "") != keys.end()) {
    throw ConfigError(
        {fmt::format("--set '{}': the key path '{}' has an empty key (two dots, or "
                     "a dot at an end)",
                     assignment, path)});
  }
  YAML::Node node;
  node.reset(root);
  std::string walked;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + keys[i];
    YAML::Node child = node[keys[i]];
    if (child.IsDefined() && !child.IsNull() && !child.IsMap()) {
      throw ConfigError(
          {fmt::format("--set '{}': '{}' is a value, not a section, so it has no "
                       "key '{}'",
                       assignment, walked, keys[i + 1])});
    }
    if (!child.IsMap()) child = YAML::Node(YAML::NodeType::Map);
    node.reset(child);
  }
  node[keys.back()] = value;
  diagnostics.mark_overridden(path);
}

// data.partition and its parameters: alpha only with dirichlet, labels_per_worker only with shards.
void read_partition(Section& s, DataSpec& d, const ModelSpec& model) {
  if (auto v = s.choice("partition", {"iid", "contiguous", "dirichlet", "shards"})) {
    for (PartitionKind kind : {PartitionKind::iid, PartitionKind::contiguous,
                               PartitionKind::dirichlet, PartitionKind::shards}) {
      if (*v == to_string(kind)) d.partition = kind;
    }
  }
  const bool dirichlet = d.partition == PartitionKind::dirichlet;
  const bool shards = d.partition == PartitionKind::shards;
  if (dirichlet) {
    if (auto v = s.real("alpha", 0.0, 1e12, false, true)) d.alpha = *v;
  } else if (s.has("alpha")) {
    s.error("alpha", fmt::format("alpha applies only to partition: dirichlet, not {}",
                                 to_string(d.partition)));
  }
  if (shards) {
    if (auto v = s.integer("labels_per_worker", 1, 1'000'000)) {
      d.labels_per_worker = static_cast<int>(*v);
    }
  } else if (s.has("labels_per_worker")) {
    s.error("labels_per_worker",
            fmt::format("labels_per_worker applies only to partition: shards, not {}",
                        to_string(d.partition)));
  }
  const ModelInfo* info = find_model(model.kind);
  if ((dirichlet || shards) && info && info->task == Task::regression) {
    s.error("partition", fmt::format("partition {} splits by class label, but model {} is a "
                                     "regression model; use iid or contiguous",
                                     to_string(d.partition), model.kind));
  }
}

// A data file that is not there is reported now, at its key, rather than when a run starts.
// `directory`: null when the key names a data file; else it names a directory, and this says what
// the directory holds.
void check_data_path(Section& s, const char* key, const std::string& path,
                     const char* directory = nullptr) {
  if (auto problem = input_file_problem(path, directory != nullptr)) {
    std::error_code error;  // a link loop makes the throwing overloads throw
    const bool is_directory = std::filesystem::is_directory(path, error);
    if (directory && std::filesystem::exists(path, error) && !is_directory) {
      *problem += fmt::format(" (expected the directory of {})", directory);
    } else if (!directory && is_directory) {
      *problem = fmt::format("'{}' is a directory; expected a data file", path);
    }
    s.error(key, *problem);
  }
}

// data.augment: crops and flips images, so only the kinds whose samples are images take it.
void read_augment(Section& data, Section& a, DataSpec& d, const AlgorithmSpec& algorithm) {
  if (auto v = a.integer("crop_padding", 0, 1024)) d.augment.crop_padding = static_cast<int>(*v);
  if (auto v = a.boolean("flip")) d.augment.flip = *v;
  a.finish();
  if (d.kind != "fashion_mnist" && d.kind != "cifar10") {
    data.error("augment", fmt::format("crops and flips images: kind {} has no image shape; use "
                                      "fashion_mnist or cifar10, or drop augment",
                                      d.kind));
  } else if (algorithm.batch_size == 0 && d.augment.enabled()) {
    // A full-batch gradient is a deterministic function of the model; augmenting it would need a
    // fresh copy of the whole shard at every step.
    data.error("augment",
               "augments the mini-batch of each local step; algorithm.batch_size: full "
               "has none (use a batch size, or drop augment)");
  }
}

void read_data(Section s, DataSpec& d, const ModelSpec& model, const AlgorithmSpec& algorithm,
               const std::string& source) {
  // arrays: numpy arrays the Python module attaches (sgdsim.data.arrays); a file cannot hold them.
  if (auto v = s.choice(
          "kind", {"synthetic", "csv", "libsvm", "fashion_mnist", "cifar10", "arrays"}, true)) {
    d.kind = *v;
  }
  read_partition(s, d, model);
  if (auto v = s.integer("limit", 0, kMaxSteps)) d.limit = *v;
  if (auto v = s.integer("test_limit", 0, kMaxSteps)) d.test_limit = *v;
  if (d.kind == "csv" || d.kind == "libsvm") {
    if (auto v = s.text("path", true)) {
      d.path = resolve_path(*v, source);
      check_data_path(s, "path", d.path);
    }
    if (auto v = s.text("test_path")) {
      d.test_path = resolve_path(*v, source);
      check_data_path(s, "test_path", d.test_path);
    }
    if (d.kind == "libsvm") {
      if (auto v = s.integer("features", 1, kMaxLibsvmFeatures)) d.features = *v;
    }
  } else if (d.kind == "fashion_mnist") {
    d.path = kDefaultFashionMnistDir;
    if (auto v = s.text("path")) {
      d.path = resolve_path(*v, source);
      check_data_path(s, "path", d.path, "the train-*/t10k-* IDX files");
    } else if (std::error_code error; !std::filesystem::is_directory(d.path, error)) {
      s.error("kind", fmt::format("Fashion-MNIST is not in {}: install Debian's "
                                  "dataset-fashion-mnist (scripts/setup does), or set data.path",
                                  d.path));
    }
  } else if (d.kind == "cifar10") {
    if (!s.has("path")) {
      s.error("path", fmt::format("missing required key: the directory of CIFAR-10's binary "
                                  "version (data_batch_1.bin ... test_batch.bin; not packaged "
                                  "in Debian: {})",
                                  kCifar10Source));
    } else if (auto v = s.text("path")) {
      d.path = resolve_path(*v, source);
      check_data_path(s, "path", d.path, "CIFAR-10's data_batch_*.bin and test_batch.bin");
    }
  } else if (d.kind == "synthetic") {
    SyntheticSpec& g = d.synthetic;
    const ModelInfo* info = find_model(model.kind);
    g.task = info ? info->task : Task::multiclass;
    if (auto v = s.integer("samples", 1, 100'000'000)) g.samples = *v;
    if (auto v = s.integer("test_samples", 0, 100'000'000)) g.test_samples = *v;
    if (auto v = s.integer("features", 1, 1'000'000)) g.features = static_cast<int>(*v);
    if (auto v = s.integer("classes", 2, 100'000)) g.classes = static_cast<int>(*v);
    // Regression: the label noise's standard deviation; classification: the share of labels
    // replaced by another class.
    if (auto v = s.real("noise", 0.0, g.task == Task::regression ? 1e6 : 1.0)) g.noise = *v;
    if (auto v = s.real("separation", 0.0, 1e6)) g.separation = *v;
  }
  if (auto a = s.section("augment")) read_augment(s, *a, d, algorithm);
  s.finish();
}

Scenario read_scenario(const YAML::Node& root, Diagnostics& diagnostics) {
  Scenario scenario;
  scenario.source = diagnostics.source();
  if (!root.IsMap()) {
    diagnostics.error(root.Mark(), "(top level)", "expected a mapping of scenario keys");
    return scenario;
  }
  Section top(root, "", diagnostics);
  scenario.name = std::filesystem::path(scenario.source).stem().string();
  if (auto v = top.text("name")) scenario.name = *v;
  if (auto v = top.text("cluster")) scenario.cluster = *v;
  if (auto v = top.integer("seed", 0, std::numeric_limits<std::int64_t>::max())) scenario.seed = *v;
  scenario.workers = 0;  // stays 0 when invalid, so checks that depend on it stand down
  if (auto v = top.integer("workers", 1, kMaxWorkers, true))
    scenario.workers = static_cast<int>(*v);
  if (auto v = top.integer("steps", 1, kMaxSteps, true)) scenario.steps = *v;
  if (auto v = top.choice("precision", {"float32", "float64"})) {
    scenario.precision = *v == "float32" ? Precision::float32 : Precision::float64;
  }
  if (auto s = top.section("algorithm", true)) {
    read_algorithm(*s, scenario.algorithm, scenario.workers, scenario.steps);
  }
  if (auto s = top.section("model", true)) read_model(*s, scenario.model);
  if (auto s = top.section("data", true))
    read_data(*s, scenario.data, scenario.model, scenario.algorithm, scenario.source);
  if (auto s = top.section("compute")) {
    read_compute(*s, scenario.compute, scenario.workers, diagnostics);
  }
  if (auto s = top.section("network")) {
    read_network(*s, scenario.network, scenario.workers, scenario.algorithm.kind);
  } else if (!algorithm_info(scenario.algorithm.kind).can.rounds) {
    scenario.network.collective = "parameter_server";
  }
  if (auto s = top.section("availability")) {
    read_availability(*s, scenario.availability, scenario.workers, diagnostics);
    check_progress_possible(*s, scenario);
  }
  resolve_overlap_momentum(top, scenario);
  resolve_group_size(top, scenario);
  check_algorithm_capabilities(top, scenario);
  if (auto s = top.section("eval")) {
    if (auto v = s->integer("every", 0, kMaxSteps)) scenario.eval.every = *v;
    if (auto v = s->boolean("grad_norm")) scenario.eval.grad_norm = *v;
    if (auto v = s->integer("samples", 0, kMaxSteps)) scenario.eval.samples = *v;
    if (auto v = s->boolean("step_averages")) scenario.eval.step_averages = *v;
    if (scenario.eval.step_averages) check_step_averages(*s, scenario);
    s->finish();
  }
  if (auto s = top.section("sweep")) read_sweep(*s, scenario.sweep);
  if (auto s = top.section("output")) {
    if (auto v = s->boolean("trace")) scenario.output.trace = *v;
    if (auto v = s->boolean("model")) scenario.output.model = *v;
    if (auto v = s->size("trace_limit")) {
      if (*v < 4096) {
        s->error("trace_limit", "must be at least 4KiB");
      } else {
        scenario.output.trace_limit_bytes = *v;
      }
    }
    s->finish();
  }
  top.finish();
  return scenario;
}

// A problem with the scenario file as a whole: "path: what".
ConfigError file_problem(const std::string& path, const std::string& what) {
  ConfigProblem problem(fmt::format("{}: {}", path, what));
  problem.place = SourcePlace{path};
  problem.what = what;
  return ConfigError({std::move(problem)});
}

}  // namespace

const char* to_string(Precision precision) {
  return precision == Precision::float32 ? "float32" : "float64";
}

Scenario load_scenario_text(const std::string& text, const std::string& source,
                            const std::vector<std::string>& overrides) {
  if (const auto line = second_document_line(text)) {
    throw ConfigError(
        {fmt::format("{}:{}: a second YAML document (after '---'): a scenario is "
                     "one document; split it into two files",
                     source, *line)});
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);  // the first document only (yaml-cpp 0.7's LoadAll can loop forever)
  } catch (const YAML::Exception& e) {
    // yaml-cpp's recursion guard reports itself as "bad file"; the text is already in memory.
    const std::string what =
        e.msg == "bad file" ? "nested too deeply for the parser (a scenario nests a few levels)"
                            : e.msg;
    ConfigProblem problem(fmt::format("{}:{}:{}: YAML syntax error: {}", source, e.mark.line + 1,
                                      e.mark.column + 1, what));
    problem.place = SourcePlace{source, e.mark.line + 1, e.mark.column + 1};
    problem.what = "YAML syntax error: " + what;
    throw ConfigError({std::move(problem)});
  }
  Diagnostics diagnostics(source);
  check_yaml_features(root, "", 0, diagnostics);
  for (const auto& duplicate : duplicate_keys(root)) {
    diagnostics.error(
        duplicate.mark, duplicate.path,
        fmt::format("written twice (first on line {}); keep one", duplicate.first_line));
  }
  if (!overrides.empty() && !root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  for (const auto& assignment : overrides) apply_override(root, assignment, diagnostics);
  include_cluster(root, source, diagnostics);
  Scenario scenario = read_scenario(root, diagnostics);
  if (!diagnostics.problems().empty()) throw ConfigError(diagnostics.problems());
  scenario.key_locations = diagnostics.locations();
  return scenario;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  if (std::error_code error; std::filesystem::is_directory(path, error)) {
    throw file_problem(path, "is a directory, not a scenario file");
  }
  if (auto problem = input_file_problem(path)) {
    throw file_problem(path, *problem);
  }
  if (std::filesystem::file_size(path) > kMaxScenarioFileBytes) {
    throw file_problem(
        path, fmt::format("larger than {} MiB: not a scenario file", kMaxScenarioFileBytes >> 20));
  }
  std::ifstream in(path);
  if (!in) throw file_problem(path, "cannot open the scenario file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_scenario_text(buffer.str(), path, overrides);
}

}  // namespace sgdsim
