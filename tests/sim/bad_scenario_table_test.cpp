// Every kind of bad scenario, one row each: the message names the file, the line and column of the
// value at fault (where there is one), the key path and what was expected; `sgdsim run` exits with
// 2 and leaves no output directory. Rows are edits of one valid scenario, so each shows one
// mistake.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/cifar10_files.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scenario_errors.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

const std::string kValid = R"(name: table
seed: 1
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
eval:
  every: 10
output:
  trace: false
)";

struct Edit {
  std::string from;  // a whole line of kValid ("" appends `to` at the end)
  std::string to;    // its replacement: several lines, or none
};

struct File {
  std::string name;
  std::string content;
};

// Where the message must point: the file, the 1-based line holding `line` and the column at which
// `column_at` starts in it. An empty `line` checks the file name only (no line is known).
struct Place {
  Place(std::string file = "test.yaml", std::string line = "", std::string column_at = "")
      : file(std::move(file)), line(std::move(line)), column_at(std::move(column_at)) {}
  std::string file;
  std::string line;
  std::string column_at;
};

struct Case {
  const char* category;
  const char* name;
  std::vector<Edit> edits;
  Place place;
  std::vector<std::string> fragments;  // key path and what was expected, as the message says them
  std::vector<std::string> overrides = {};
  std::vector<File> files = {};  // written next to test.yaml
  std::string text = {};         // the whole scenario instead of edits of kValid
};

std::string scenario_text(const Case& c) {
  if (!c.text.empty() || c.edits.empty()) return c.text;
  std::string text = kValid;
  for (const Edit& e : c.edits) {
    text = e.from.empty() ? text + e.to + "\n" : sgdsim::testing::with_line(e.from, e.to, text);
  }
  return text;
}

// "file:L:C" (or "file:L:" or "file") for the case's place, found in test.yaml or the file named.
std::string expected_place(const Case& c) {
  const Place& place = c.place;
  if (place.line.empty()) return place.file;
  std::string text = scenario_text(c);
  for (const File& f : c.files) {
    if (f.name == place.file) text = f.content;
  }
  const int line = sgdsim::testing::line_of(text, place.line);
  std::string where = place.file + ":" + std::to_string(line) + ":";
  if (!place.column_at.empty()) {
    const auto column = place.line.find(place.column_at);
    REQUIRE(column != std::string::npos);
    where += std::to_string(column + 1) + ":";
  }
  return where;
}

// kValid's synthetic data replaced by data: {kind: cifar10, path: cifar} (plus `extra` lines).
std::vector<Edit> cifar10_data(const std::string& extra = "") {
  return {{"  kind: synthetic", "  kind: cifar10\n  path: cifar" + extra},
          {"  samples: 400", ""},
          {"  test_samples: 100", ""},
          {"  features: 5", ""},
          {"  classes: 3", ""}};
}

// The directory cifar/ of six one-record batches; `name`'s content replaced by `content`, or the
// file left out when `content` is "-".
std::vector<File> cifar10_dir(const std::string& name = "", const std::string& content = "") {
  std::vector<File> files;
  for (int f = 0; f < 6; ++f) {
    const std::string file = sgdsim::testing::cifar10_file_name(f);
    if (file != name) {
      files.push_back({"cifar/" + file, sgdsim::testing::cifar10_test_batch(f, 1)});
    } else if (content != "-") {
      files.push_back({"cifar/" + file, content});
    }
  }
  return files;
}

// cifar10_test_batch(file, 2) with the label byte of its second record set to `label`.
std::string with_second_label(int file, char label) {
  std::string bytes = sgdsim::testing::cifar10_test_batch(file, 2);
  bytes[sgdsim::testing::kCifarRecordBytes] = label;
  return bytes;
}

const std::string kCluster = "compute: {kind: constant, mean: 30ms}\n";

const std::vector<Case> kCases = {
    // YAML syntax
    {"syntax",
     "nesting far deeper than any scenario",
     {},
     {"test.yaml", ""},
     {"YAML syntax error: nested too deeply for the parser"},
     {},
     {},
     "name: deep\nworkers: " + std::string(600, '[') + std::string(600, ']') + "\n"},
    {"syntax",
     "a second YAML document",
     {{"", "---\nname: other"}},
     {"test.yaml", ""},
     {"a second YAML document (after '---'): a scenario is one document"}},
    {"syntax",
     "a YAML tag",
     {{"workers: 4", "workers: !!int 4"}},
     {"test.yaml", "workers: !!int 4", "!!int"},
     {"workers: YAML tags such as '!!int' are not used by sgdsim"}},
    {"syntax",
     "a list as a key",
     {{"", "? [a, b]\n: 3"}},
     {"test.yaml", "? [a, b]", "["},
     {"a key must be a plain word, not a list or a mapping"}},
    {"syntax",
     "unclosed flow sequence",
     {{"workers: 4", "workers: [4"}},
     {"test.yaml", ""},
     {"YAML syntax error"}},
    {"syntax",
     "tab indentation",
     {{"  kind: local_sgd", "\tkind: local_sgd"}},
     {"test.yaml", "\tkind: local_sgd"},
     {"YAML syntax error"}},
    {"syntax",
     "a list instead of a mapping",
     {},
     {"test.yaml", "- workers: 4", "-"},
     {"(top level): expected a mapping of scenario keys"},
     {},
     {},
     "- workers: 4\n- steps: 40\n"},
    {"syntax",
     "an empty file",
     {},
     {"test.yaml"},
     {"(top level): expected a mapping of scenario keys"},
     {},
     {},
     "# nothing here\n"},
    {"syntax",
     "a key written twice",
     {{"", "workers: 8"}},
     {"test.yaml", "workers: 8", "workers"},
     {"workers: written twice (first on line 3); keep one"}},
    // keys that do not exist, or not here
    {"unknown key",
     "misspelled top-level key",
     {{"steps: 40", "step: 40"}},
     {"test.yaml", "step: 40", "step"},
     {"step: unknown key 'step' (did you mean 'steps'?)"}},
    {"unknown key",
     "misspelled nested key",
     {{"  interval: 4", "  intervall: 4"}},
     {"test.yaml", "  intervall: 4", "intervall"},
     {"algorithm.intervall: unknown key 'intervall' (did you mean 'interval'?)"}},
    {"unknown key",
     "another kind's key",
     {{"  lr: 0.1", "  lr: 0.1\n  outer_lr: 0.7"}},
     {"test.yaml", "  outer_lr: 0.7", "0.7"},
     {"algorithm.outer_lr: only used with kind"}},
    {"unknown key",
     "a cluster file setting steps",
     {{"workers: 4", "workers: 4\ncluster: machine.yaml"}},
     {"machine.yaml", "steps: 10", "steps"},
     {"steps: a cluster file may only set"},
     {},
     {{"machine.yaml", "steps: 10\n" + kCluster}}},
    // values of the wrong type
    {"type",
     "a word for an integer",
     {{"workers: 4", "workers: four"}},
     {"test.yaml", "workers: four", "four"},
     {"workers: expected an integer", "got 'four'"}},
    {"type",
     "a fraction for an integer",
     {{"steps: 40", "steps: 40.5"}},
     {"test.yaml", "steps: 40.5", "40.5"},
     {"steps: expected an integer"}},
    {"type",
     "a list for a number",
     {{"  lr: 0.1", "  lr: [0.1]"}},
     {"test.yaml", "  lr: [0.1]", "["},
     {"algorithm.lr: expected a number"}},
    {"type",
     "a word for a boolean",
     {{"  trace: false", "  trace: maybe"}},
     {"test.yaml", "  trace: maybe", "maybe"},
     {"output.trace: expected true or false"}},
    {"type",
     "a scalar for a section",
     {{"model:", "model: softmax"}, {"  kind: softmax", ""}},
     {"test.yaml", "model: softmax", "softmax"},
     {"model: expected a mapping"}},
    // values out of range
    {"range",
     "no workers",
     {{"workers: 4", "workers: 0"}},
     {"test.yaml", "workers: 0", "0"},
     {"workers: expected an integer from 1 to"}},
    {"range",
     "negative step size",
     {{"  lr: 0.1", "  lr: -0.1"}},
     {"test.yaml", "  lr: -0.1", "-"},
     {"algorithm.lr:"}},
    {"range",
     "momentum of 1",
     {{"  lr: 0.1", "  lr: 0.1\n  momentum: 1.0"}},
     {"test.yaml", "  momentum: 1.0", "1.0"},
     {"algorithm.momentum:"}},
    {"range",
     "interval 0",
     {{"  interval: 4", "  interval: 0"}},
     {"test.yaml", "  interval: 0", "0"},
     {"algorithm.interval:"}},
    {"range",
     "a duration past the simulated clock",
     {{"  mean: 30ms", "  mean: 1e10s"}},
     {"test.yaml", "  mean: 1e10s", "1e10s"},
     {"compute.mean: 1e10s is out of range: a duration must be at most 9e+09 s"}},
    {"range",
     "theory in capitals",
     {{"  lr: 0.1", "  lr: Theory"}},
     {"test.yaml", "  lr: Theory", "Theory"},
     {"algorithm.lr: expected a number or theory, got 'Theory' (did you mean 'theory'?)"}},
    {"range",
     "negative evaluation period",
     {{"  every: 10", "  every: -1"}},
     {"test.yaml", "  every: -1", "-1"},
     {"eval.every: expected an integer from 0"}},
    {"range",
     "no samples",
     {{"  samples: 400", "  samples: 0"}},
     {"test.yaml", "  samples: 0", "0"},
     {"data.samples: expected an integer from 1"}},
    {"range",
     "label noise above 1",
     {{"  classes: 3", "  classes: 3\n  noise: 1.5"}},
     {"test.yaml", "  noise: 1.5", "1.5"},
     {"data.noise:"}},
    // values that do not fit together
    {"inconsistent",
     "interval larger than steps",
     {{"  interval: 4", "  interval: 80"}},
     {"test.yaml", "  interval: 80", "80"},
     {"algorithm.interval: interval 80 exceeds steps 40"}},
    {"inconsistent",
     "more workers than samples",
     {{"workers: 4", "workers: 500"}},
     {"test.yaml", "workers: 500", "500"},
     {"workers: 500 workers but only 400 samples"}},
    {"inconsistent",
     "a batch larger than a shard",
     {{"  batch_size: 8", "  batch_size: 200"}},
     {"test.yaml", "  batch_size: 200", "200"},
     {"algorithm.batch_size: 200 exceeds the 100 samples of the smallest worker shard"}},
    {"inconsistent",
     "more clients per round than workers",
     {{"  kind: local_sgd", "  kind: fedavg\n  clients_per_round: 8"}},
     {"test.yaml", "  clients_per_round: 8", "8"},
     {"algorithm.clients_per_round: 8 exceeds the 4 workers"}},
    {"inconsistent",
     "a speed factor list of the wrong length",
     {{"  mean: 30ms", "  mean: 30ms\n  speed_factors: [1, 1, 2]"}},
     {"test.yaml", "  speed_factors: [1, 1, 2]", "["},
     {"compute.speed_factors:", "4"}},
    {"inconsistent",
     "elastic averaging that overshoots",
     {{"  kind: local_sgd", "  kind: easgd\n  elasticity: 0.5"}},
     {"test.yaml", "  elasticity: 0.5", "0.5"},
     {"algorithm.elasticity:"}},
    {"inconsistent",
     "hidden layers on a linear model",
     {{"  kind: softmax", "  kind: softmax\n  hidden: [8]"}},
     {"test.yaml", "  hidden: [8]", "["},
     {"model.hidden: only an mlp has hidden layers"}},
    {"inconsistent",
     "a label partition of a regression problem",
     {{"  kind: softmax", "  kind: least_squares"}, {"  classes: 3", "  partition: dirichlet"}},
     {"test.yaml", "  partition: dirichlet", "dirichlet"},
     {"data.partition:", "regression model"}},
    {"inconsistent",
     "workers that fail faster than a step lasts",
     {{"output:", "availability:\n  mtbf: 1ms\n  repair: 1ms\noutput:"}},
     {"test.yaml", "  mtbf: 1ms", "1ms"},
     {"availability.mtbf: a worker fails every 0.001 s on average, but a step takes 0.03 s"}},
    {"inconsistent",
     "steps that would run past the simulated clock",
     {{"  mean: 30ms", "  mean: 1000000000s"}},
     {"test.yaml", "  mean: 1000000000s", "1000000000s"},
     {"compute.mean: 40 steps of about 1e+09 s each would simulate 4e+10 s, beyond the simulated "
      "clock"}},
    {"inconsistent",
     "rounds that would run past the simulated clock",
     {{"  bandwidth: 10Gbps", "  bandwidth: 1Kbps\n  payload: 100GB"}},
     {"test.yaml", "  payload: 100GB", "100GB"},
     {"network.payload: 10 rounds of about", "beyond the simulated clock"}},
    {"inconsistent",
     "a trace larger than its limit",
     {{"steps: 40", "steps: 100000000"}, {"  trace: false", "  trace: true"}},
     {"test.yaml", "  trace: true", "true"},
     {"output.trace: trace.json would take at least", "output.trace_limit (1.07 GB)"}},
    {"inconsistent",
     "step averages with failing workers",
     {{"  every: 10", "  every: 10\n  step_averages: true"},
      {"output:", "availability:\n  mtbf: 1s\n  repair: 1s\noutput:"}},
     {"test.yaml", "  step_averages: true", "true"},
     {"eval.step_averages: needs every worker at every step t, but failing workers leave rounds"}},
    {"inconsistent",
     "step averages with sampled fedavg rounds",
     {{"  kind: local_sgd", "  kind: fedavg\n  clients_per_round: 2"},
      {"  every: 10", "  every: 10\n  step_averages: true"}},
     {"test.yaml", "  step_averages: true", "true"},
     {"eval.step_averages:", "fedavg's sampled rounds leave workers out"}},
    {"inconsistent",
     "step averages of asynchronous SGD",
     {{"  kind: local_sgd", "  kind: async_sgd"},
      {"  interval: 4", ""},
      {"  every: 10", "  every: 10\n  step_averages: true"}},
     {"test.yaml", "  step_averages: true", "true"},
     {"eval.step_averages:", "async_sgd"}},
    {"inconsistent",
     "step averages with overlapped averaging",
     {{"  bandwidth: 10Gbps", "  bandwidth: 10Gbps\n  overlap: true"},
      {"  every: 10", "  every: 10\n  step_averages: true"}},
     {"test.yaml", "  step_averages: true", "true"},
     {"eval.step_averages:", "network.overlap"}},
    {"inconsistent",
     "sample weighting of gossip",
     {{"  kind: local_sgd", "  kind: gossip\n  weighting: samples"}},
     {"test.yaml", "  weighting: samples", "samples"},
     {"algorithm.weighting: only used with kind: local_sgd or slowmo or diloco"}},
    {"inconsistent",
     "a torus of a prime number of workers",
     {{"workers: 4", "workers: 5"}, {"  kind: local_sgd", "  kind: gossip\n  graph: torus"}},
     {"test.yaml", "  graph: torus", "torus"},
     {"algorithm.graph:", "5 workers is a prime number"}},
    {"inconsistent",
     "hierarchical groups that do not divide the workers",
     {{"  kind: local_sgd",
       "  kind: hierarchical_local_sgd\n  group_size: 3\n  global_interval: 8"}},
     {"test.yaml", "  group_size: 3", "3"},
     {"algorithm.group_size: 3 does not divide the 4 workers"}},
    {"inconsistent",
     "a global interval that is not a multiple of the group interval",
     {{"  kind: local_sgd",
       "  kind: hierarchical_local_sgd\n  group_size: 2\n  global_interval: 10"}},
     {"test.yaml", "  global_interval: 10", "10"},
     {"algorithm.global_interval: 10 is not a multiple of interval 4"}},
    {"inconsistent",
     "hierarchical local SGD without a global interval",
     {{"  kind: local_sgd", "  kind: hierarchical_local_sgd\n  group_size: 2"}},
     {"test.yaml", "  kind: hierarchical_local_sgd", "kind"},
     {"algorithm.global_interval: missing"}},
    {"inconsistent",
     "hierarchical groups without a size off two_level",
     {{"  kind: local_sgd", "  kind: hierarchical_local_sgd\n  global_interval: 8"}},
     {"test.yaml", "  kind: hierarchical_local_sgd", "kind"},
     {"algorithm.group_size: missing", "not switch"}},
    {"inconsistent",
     "hierarchical local SGD on a varying interval",
     {{"  kind: local_sgd",
       "  kind: hierarchical_local_sgd\n  group_size: 2\n  global_interval: 8"},
      {"  interval: 4", "  interval: theory"}},
     {"test.yaml", "  interval: theory", "theory"},
     {"algorithm.interval: hierarchical_local_sgd takes a fixed interval"}},
    {"inconsistent",
     "a group size for flat local SGD",
     {{"  lr: 0.1", "  lr: 0.1\n  group_size: 2"}},
     {"test.yaml", "  group_size: 2", "2"},
     {"algorithm.group_size: only used with kind: hierarchical_local_sgd"}},
    // names that are not one of the choices
    {"choice",
     "unknown algorithm",
     {{"  kind: local_sgd", "  kind: sgdd"}},
     {"test.yaml", "  kind: sgdd", "sgdd"},
     {"algorithm.kind: expected one of local_sgd", "got 'sgdd'"}},
    {"choice",
     "unknown collective",
     {{"  bandwidth: 10Gbps", "  bandwidth: 10Gbps\n  collective: ringg"}},
     {"test.yaml", "  collective: ringg", "ringg"},
     {"network.collective:", "ring_allreduce"}},
    {"choice",
     "unknown precision",
     {{"precision: float64", "precision: float16"}},
     {"test.yaml", "precision: float16", "float16"},
     {"precision:", "float32", "float64"}},
    {"choice",
     "unknown model",
     {{"  kind: softmax", "  kind: cnn"}},
     {"test.yaml", "  kind: cnn", "cnn"},
     {"model.kind:", "mlp"}},
    // networks of layers
    {"layers",
     "an unknown layer type",
     {{"  kind: softmax", "  kind: sequential\n  layers:\n    - {type: conv3d}"}},
     {"test.yaml", "    - {type: conv3d}", "conv3d"},
     {"model.layers[0].type:", "conv2d", "basic_block"}},
    {"layers",
     "a convolution without its channels",
     {{"  kind: softmax", "  kind: sequential\n  layers:\n    - {type: conv2d, kernel: 3}"}},
     {"test.yaml", "    - {type: conv2d, kernel: 3}", "{"},
     {"model.layers[0].channels:"}},
    {"layers",
     "a key of another layer type",
     {{"  kind: softmax",
       "  kind: sequential\n  layers:\n    - {type: dense, units: 3, kernel: 2}"}},
     {"test.yaml", "    - {type: dense, units: 3, kernel: 2}", "kernel"},
     {"model.layers[0]", "kernel"}},
    {"layers",
     "a kernel larger than the input",
     {{"  kind: softmax",
       "  kind: sequential\n  input_shape: [1, 5, 1]\n  layers:\n    - {type: conv2d, channels: 2, "
       "kernel: 3}\n"
       "    - {type: dense, units: 3}"}},
     {"test.yaml", "    - {type: conv2d, channels: 2, kernel: 3}", "{"},
     {"model.layers[0]: conv2d on a 1x5x1 input: a 3x3 kernel does not fit"}},
    {"layers",
     "a residual block whose shortcut cannot match its layers",
     {{"  kind: softmax",
       "  kind: sequential\n  input_shape: [5, 1, 1]\n  layers:\n    - type: residual\n      "
       "layers:\n"
       "        - {type: dense, units: 4}\n    - {type: dense, units: 3}"}},
     {"test.yaml", "    - type: residual", "type"},
     {"model.layers[0]: residual on a 5x1x1 input: the layers turn 5x1x1 into 4x1x1",
      "identity shortcut needs the same shape"}},
    {"layers",
     "a layer inside a residual block that does not fit",
     {{"  kind: softmax",
       "  kind: sequential\n  layers:\n    - type: residual\n      layers:\n"
       "        - {type: conv2d, channels: 5, kernel: 3}\n    - {type: dense, units: 3}"}},
     {"test.yaml", "        - {type: conv2d, channels: 5, kernel: 3}", "{"},
     {"model.layers[0].layers[0]: conv2d on a 5x1x1 input: a 3x3 kernel does not fit"}},
    {"layers",
     "a network whose last layer is not the classes",
     {{"  kind: softmax", "  kind: sequential\n  layers:\n    - {type: dense, units: 4}"}},
     {"test.yaml", "  kind: sequential", "kind"},
     {"model: the last layer gives 4x1x1 outputs", "3 classes", "units: 3"}},
    {"layers",
     "an input shape that is not the data's size",
     {{"  kind: softmax", "  kind: lenet5\n  input_shape: [1, 2, 2]"}},
     {"test.yaml", "  input_shape: [1, 2, 2]", "["},
     {"model.input_shape: 1x2x2 is 4 features, but the data has 5"}},
    {"layers",
     "layers given to a preset",
     {{"  kind: softmax", "  kind: resnet20\n  layers: []"}},
     {"test.yaml", "  layers: []", "["},
     {"model.layers: resnet20 has its own layers"}},
    {"layers",
     "a network started from zeros",
     {{"  kind: softmax", "  kind: resnet8\n  init: zeros"}},
     {"test.yaml", "  init: zeros", "zeros"},
     {"model.init: zeros makes every hidden unit identical"}},
    {"layers",
     "a convolution on vector data",
     {{"  kind: softmax", "  kind: lenet5"}},
     {"test.yaml", "  kind: lenet5", "kind"},
     {"model.layers[2]: max_pool on a 6x1x1 input", "model.input_shape"}},
    // quantities with units
    {"units",
     "a duration without its unit",
     {{"  mean: 30ms", "  mean: 30"}},
     {"test.yaml", "  mean: 30", "30"},
     {"compute.mean:", "ms"}},
    {"units",
     "a misspelled rate unit",
     {{"  bandwidth: 10Gbps", "  bandwidth: 10Gbs"}},
     {"test.yaml", "  bandwidth: 10Gbs", "10Gbs"},
     {"network.bandwidth:", "Gbps"}},
    {"units",
     "a negative latency",
     {{"  latency: 50us", "  latency: -5us"}},
     {"test.yaml", "  latency: -5us", "-5us"},
     {"network.latency:"}},
    // files the scenario names
    {"files",
     "a cluster file that does not exist",
     {{"workers: 4", "workers: 4\ncluster: nowhere.yaml"}},
     {"test.yaml", "cluster: nowhere.yaml", "nowhere"},
     {"cluster:", "does not exist", "nowhere.yaml"}},
    {"files",
     "a directory as the cluster file",
     {{"workers: 4", "workers: 4\ncluster: .."}},
     {"test.yaml", "cluster: ..", ".."},
     {"cluster:", "is a directory; expected a cluster file"}},
    {"files",
     "a cluster file with a syntax error",
     {{"workers: 4", "workers: 4\ncluster: broken.yaml"}},
     {"test.yaml", "cluster: broken.yaml", "broken"},
     {"cluster:", "broken.yaml:2:1:", "YAML syntax error"},
     {},
     {{"broken.yaml", "compute: {kind: [\n"}}},
    {"files",
     "a data file that does not exist",
     {{"  kind: synthetic", "  kind: csv\n  path: missing.csv"},
      {"  samples: 400", ""},
      {"  test_samples: 100", ""},
      {"  features: 5", ""},
      {"  classes: 3", ""}},
     {"test.yaml", "  path: missing.csv", "missing"},
     {"data.path:", "missing.csv"}},
    {"files",
     "a step time out of range in the step-time file",
     {{"  kind: constant", "  kind: empirical\n  path: steps.csv"}, {"  mean: 30ms", ""}},
     {"test.yaml", "  path: steps.csv", "steps"},
     {"compute.path:", "steps.csv:3: 1e300 s is out of range: a step time must be from 1 ns"},
     {},
     {{"steps.csv", "seconds\n0.03\n1e300\n"}}},
    {"files",
     "a data file with a ragged row",
     {{"  kind: synthetic", "  kind: csv\n  path: ragged.csv"},
      {"  samples: 400", ""},
      {"  test_samples: 100", ""},
      {"  features: 5", ""},
      {"  classes: 3", ""}},
     {"test.yaml", "  path: ragged.csv", "ragged"},
     {"data.path:", "ragged.csv:3: expected 3 columns (as in the header), found 2"},
     {},
     {{"ragged.csv", "a,b,y\n1,2,0\n1,1\n1,2,1\n1,3,2\n1,4,0\n"}}},
    // inner optimizers, clipping and learning-rate schedules
    {"range",
     "adam's beta1 of 1",
     {{"  lr: 0.1", "  lr: 0.1\n  optimizer: adam\n  beta1: 1.0"}},
     {"test.yaml", "  beta1: 1.0", "1.0"},
     {"algorithm.beta1:"}},
    {"range",
     "adam's beta2 above 1",
     {{"  lr: 0.1", "  lr: 0.1\n  optimizer: adam\n  beta2: 1.5"}},
     {"test.yaml", "  beta2: 1.5", "1.5"},
     {"algorithm.beta2:"}},
    {"range",
     "adam's epsilon of 0",
     {{"  lr: 0.1", "  lr: 0.1\n  optimizer: adamw\n  epsilon: 0"}},
     {"test.yaml", "  epsilon: 0", "0"},
     {"algorithm.epsilon:"}},
    {"range",
     "negative weight decay",
     {{"  lr: 0.1", "  lr: 0.1\n  weight_decay: -0.1"}},
     {"test.yaml", "  weight_decay: -0.1", "-"},
     {"algorithm.weight_decay:"}},
    {"range",
     "negative clipping norm",
     {{"  lr: 0.1", "  lr: 0.1\n  clip_norm: -1"}},
     {"test.yaml", "  clip_norm: -1", "-"},
     {"algorithm.clip_norm:"}},
    {"range",
     "an unknown optimizer",
     {{"  lr: 0.1", "  lr: 0.1\n  optimizer: lamb"}},
     {"test.yaml", "  optimizer: lamb", "lamb"},
     {"algorithm.optimizer:", "adamw"}},
    {"inconsistent",
     "adam's beta1 with optimizer sgd",
     {{"  lr: 0.1", "  lr: 0.1\n  beta1: 0.9"}},
     {"test.yaml", "  beta1: 0.9", "0.9"},
     {"algorithm.beta1: only used with optimizer: adam or adamw (this is sgd)"}},
    {"inconsistent",
     "momentum with adam",
     {{"  lr: 0.1", "  lr: 0.1\n  optimizer: adam\n  momentum: 0.9"}},
     {"test.yaml", "  momentum: 0.9", "0.9"},
     {"algorithm.momentum: only used with optimizer: sgd (adam's momentum is beta1)"}},
    {"inconsistent",
     "adam with an algorithm of plain sgd steps",
     {{"  kind: local_sgd", "  kind: gossip"}, {"  lr: 0.1", "  lr: 0.1\n  optimizer: adam"}},
     {"test.yaml", "  optimizer: adam", "adam"},
     {"algorithm.optimizer: gossip takes sgd steps: it has no place for an optimizer state"}},
    {"inconsistent",
     "min_lr without a cosine schedule",
     {{"  lr: 0.1",
       "  lr: 0.1\n  lr_schedule: {kind: step, every: 10, factor: 0.5, min_lr: 0.01}"}},
     {"test.yaml", "  lr_schedule: {kind: step, every: 10, factor: 0.5, min_lr: 0.01}", "0.01"},
     {"algorithm.lr_schedule.min_lr: only used with kind: cosine (this is step)"}},
    {"inconsistent",
     "a step schedule's factor with a cosine schedule",
     {{"  lr: 0.1", "  lr: 0.1\n  lr_schedule: {kind: cosine, factor: 0.5}"}},
     {"test.yaml", "  lr_schedule: {kind: cosine, factor: 0.5}", "0.5"},
     {"algorithm.lr_schedule.factor: only used with kind: step (this is cosine)"}},
    {"inconsistent",
     "a cosine floor above the step size",
     {{"  lr: 0.1", "  lr: 0.1\n  lr_schedule: {kind: cosine, min_lr: 0.2}"}},
     {"test.yaml", "  lr_schedule: {kind: cosine, min_lr: 0.2}", "0.2"},
     {"algorithm.lr_schedule.min_lr: 0.2 exceeds lr 0.1"}},
    {"inconsistent",
     "a warm-up as long as the run",
     {{"  lr: 0.1", "  lr: 0.1\n  lr_schedule: {kind: constant, warmup_steps: 40}"}},
     {"test.yaml", "  lr_schedule: {kind: constant, warmup_steps: 40}", "40"},
     {"algorithm.lr_schedule.warmup_steps: 40 is not below steps 40"}},
    {"inconsistent",
     "slowmo with a cosine schedule down to 0",
     {{"  kind: local_sgd", "  kind: slowmo\n  outer_lr: 1\n  outer_momentum: 0.5"},
      {"  lr: 0.1", "  lr: 0.1\n  lr_schedule: {kind: cosine}"}},
     {"test.yaml", "  lr_schedule: {kind: cosine}", "cosine"},
     {"algorithm.lr_schedule.kind: slowmo divides each round's update by γ"}},
    {"files",
     "cifar10 without a path (no copy is installed)",
     {{"  kind: synthetic", "  kind: cifar10"},
      {"  samples: 400", ""},
      {"  test_samples: 100", ""},
      {"  features: 5", ""},
      {"  classes: 3", ""}},
     {"test.yaml", "  kind: cifar10", "kind"},
     {"data.path: missing required key",
      "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, extracted"}},
    {"files",
     "a CIFAR-10 directory missing a batch",
     cifar10_data(),
     {"test.yaml", "  path: cifar", "cifar"},
     {"data.path:", "cifar/data_batch_3.bin: missing", "cifar-10-binary.tar.gz"},
     {},
     cifar10_dir("data_batch_3.bin", "-")},
    {"files",
     "a CIFAR-10 label byte above 9",
     cifar10_data(),
     {"test.yaml", "  path: cifar", "cifar"},
     {"data.path:", "cifar/data_batch_2.bin: record 1: label byte 12 is not in 0..9"},
     {},
     cifar10_dir("data_batch_2.bin", with_second_label(1, 12))},
    {"files",
     "a truncated CIFAR-10 record",
     cifar10_data(),
     {"test.yaml", "  path: cifar", "cifar"},
     {"data.path:", "cifar/test_batch.bin: record 1 is truncated: 3000 of 3073 bytes",
      "not a whole number of records"},
     {},
     cifar10_dir("test_batch.bin", sgdsim::testing::cifar10_test_batch(5, 2).substr(0, 6073))},
    {"inconsistent",
     "augmentation of data that are not images",
     {{"  classes: 3", "  classes: 3\n  augment: {crop_padding: 4}"}},
     {"test.yaml", "  augment: {crop_padding: 4}", "{"},
     {"data.augment: crops and flips images: kind synthetic has no image shape"}},
    {"inconsistent",
     "augmentation with full-batch gradients",
     [] {
       auto edits = cifar10_data("\n  augment: {flip: true}");
       edits.push_back({"  batch_size: 8", "  batch_size: full"});
       return edits;
     }(),
     {"test.yaml", "  augment: {flip: true}", "{"},
     {"data.augment: augments the mini-batch of each local step; algorithm.batch_size: full"},
     {},
     cifar10_dir()},
    {"range",
     "a negative crop padding",
     cifar10_data("\n  augment: {crop_padding: -4, flip: true}"),
     {"test.yaml", "  augment: {crop_padding: -4, flip: true}", "-4"},
     {"data.augment.crop_padding: expected an integer from 0 to 1024"},
     {},
     cifar10_dir()},
    {"type",
     "an augment flip that is not a boolean",
     cifar10_data("\n  augment: {flip: often}"),
     {"test.yaml", "  augment: {flip: often}", "often"},
     {"data.augment.flip: expected true or false"},
     {},
     cifar10_dir()},
    // more than the machine can hold
    {"resources",
     "replicas that cannot fit in memory",
     {{"workers: 4", "workers: 100000"},
      {"  samples: 400", "  samples: 100000"},
      {"  kind: softmax", "  kind: mlp\n  hidden: [1000000]"}},
     {"test.yaml", "workers: 100000", "100000"},
     {"workers: this run needs at least", "of memory is available", "replicas: 100000 workers"}},
    {"resources",
     "a synthetic data set that cannot fit in memory",
     {{"  samples: 400", "  samples: 100000000"}, {"  features: 5", "  features: 1000000"}},
     {"test.yaml", "  samples: 100000000", "100000000"},
     {"data.samples: this run needs at least", "data: 100000100 samples"}},
    // --set on the command line
    {"--set",
     "a bad value",
     {},
     {"test.yaml"},
     {"--set workers: expected an integer", "got 'abc'"},
     {"workers=abc"}},
    {"--set", "no value", {}, {""}, {"--set 'workers': expected key.path=value"}, {"workers"}},
    {"--set",
     "a misspelled key",
     {},
     {"test.yaml"},
     {"--set algorithm.intervall: unknown key 'intervall' (did you mean 'interval'?)"},
     {"algorithm.intervall=3"}},
    // the sweep section, read with every scenario
    {"sweep",
     "no replicates",
     {{"", "sweep:\n  replicates: 0"}},
     {"test.yaml", "  replicates: 0", "0"},
     {"sweep.replicates: expected an integer from 1"}},
    {"sweep",
     "a value listed twice",
     {{"", "sweep:\n  grid:\n    workers: [2, 4, 2]"}},
     {"test.yaml", "    workers: [2, 4, 2]", "["},
     {"sweep.grid.workers: value 2 is listed twice"}},
};

// The messages that loading, then running, the case gives; the output directory must not appear.
std::vector<std::string> messages_of(const Case& c, const TempDir& dir) {
  const std::string text = scenario_text(c);
  for (const File& f : c.files) dir.write(f.name, f.content);
  const std::string path = dir.write("test.yaml", text);
  const fs::path out = dir / "out";
  std::vector<std::string> messages;
  try {
    const sgdsim::Scenario scenario = sgdsim::load_scenario_file(path, c.overrides);
    sgdsim::RunOptions options;
    options.out_dir = out.string();
    options.quiet = true;
    sgdsim::run_scenario(scenario, options);
  } catch (const sgdsim::ConfigError& e) {
    messages = e.messages();
  }
  CHECK_FALSE(fs::exists(out));
  return messages;
}

}  // namespace

TEST_CASE("every bad scenario is reported with its place, key and expectation",
          "[sim][scenario][bad_input]") {
  CHECK(kCases.size() >= 30);
  for (const Case& c : kCases) {
    INFO(c.category << ": " << c.name);
    const TempDir dir("bad_scenario");
    const auto messages = messages_of(c, dir);
    if (messages.empty()) {
      FAIL_CHECK("no ConfigError");
      continue;
    }
    const std::string message = sgdsim::testing::message_with(messages, c.fragments);
    // The place comes first, as in a compiler's message.
    if (!c.place.file.empty()) {
      const std::string place = expected_place(c);
      CHECK_THAT(message, Catch::StartsWith((dir.path() / place).string()));
    }
  }
}

TEST_CASE("sgdsim run exits with 2 on every bad scenario, saying why, and writes nothing",
          "[sim][scenario][bad_input][cli]") {
  for (const Case& c : kCases) {
    INFO(c.category << ": " << c.name);
    const TempDir dir("bad_scenario_cli");
    for (const File& f : c.files) dir.write(f.name, f.content);
    const std::string text = scenario_text(c);
    dir.write("test.yaml", text);
    std::string command = std::string("cd '") + dir.path().string() + "' && '" + SGDSIM_BINARY +
                          "' run test.yaml --out out -q";
    for (const auto& o : c.overrides) command += " --set '" + o + "'";
    command += " 2>err.txt";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    const std::string err = read_file(dir / "err.txt");
    CHECK(err.rfind("error: ", 0) == 0);
    for (const auto& fragment : c.fragments) CHECK_THAT(err, Catch::Contains(fragment));
    if (!c.place.file.empty()) CHECK_THAT(err, Catch::Contains(expected_place(c)));
    CHECK_FALSE(fs::exists(dir / "out"));
  }
}
