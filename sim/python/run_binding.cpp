// sgdsim._sgdsim.run: one scenario, simulated off the GIL; metrics rows and rounds reported to
// Python callbacks (only when given: a run without them pays nothing), progress on sys.stderr,
// Ctrl-C and a raising callback stop it as the CLI's SIGINT does (status `interrupted`).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>

#include "sim/output/summary.hpp"
#include "sim/python/bindings.hpp"
#include "sim/python/off_gil.hpp"
#include "sim/runner/input_fingerprints.hpp"
#include "sim/runner/run_scenario.hpp"

namespace sgdsim::python {
namespace {

// metrics.csv's columns, as numbers: bytes_sent is written rounded ({:.0f}), so it is rounded here.
py::dict metrics_row_dict(const MetricsRow& row) {
  py::dict d;
  d["step"] = row.step;
  d["sim_time_s"] = row.time.seconds();
  d["comm_rounds"] = row.comm_rounds;
  d["bytes_sent"] = static_cast<std::int64_t>(std::nearbyint(row.bytes_sent));
  d["train_loss"] = row.model.train_loss;
  d["grad_norm_sq"] = row.model.grad_norm_sq;
  d["test_loss"] = row.model.test_loss;
  d["test_accuracy"] = row.model.test_accuracy;
  return d;
}

// Keeps every metrics row, and calls the Python callbacks (taking the GIL) when there are any.
// The first callback that raises stops the run; its exception is raised once the run has ended.
class PythonObserver final : public RunObserver {
 public:
  PythonObserver(py::object on_metrics, py::object on_round, std::atomic<bool>& stop)
      : on_metrics_(std::move(on_metrics)), on_round_(std::move(on_round)), stop_(stop) {}
  ~PythonObserver() override {
    const py::gil_scoped_acquire gil;  // the callables and the error are Python objects
    on_metrics_ = py::object();
    on_round_ = py::object();
    error_.reset();
  }

  void on_compute(int, std::int64_t step, SimTime, SimTime) override {
    if (step > step_.load(std::memory_order_relaxed)) step_.store(step, std::memory_order_relaxed);
  }
  void on_metrics(const MetricsRow& row) override {
    rows_.push_back(row);
    if (on_metrics_.is_none() || error_) return;
    const py::gil_scoped_acquire gil;
    call(on_metrics_, metrics_row_dict(row));
  }
  void on_collective(std::int64_t round, SimTime start, const CollectiveCost& cost,
                     const std::vector<int>& /*participants*/) override {
    if (on_round_.is_none() || error_) return;
    const py::gil_scoped_acquire gil;
    py::dict d;
    d["round"] = round;
    d["start_s"] = start.seconds();
    d["duration_s"] = cost.duration.seconds();
    d["bytes_sent"] = cost.bytes_sent;
    call(on_round_, d);
  }

  const std::vector<MetricsRow>& rows() const { return rows_; }
  std::int64_t step() const { return step_.load(std::memory_order_relaxed); }
  std::optional<py::error_already_set>& error() { return error_; }

 private:
  void call(const py::object& callback, const py::dict& argument) {
    try {
      callback(argument);
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      stop_ = true;
    }
  }

  py::object on_metrics_, on_round_;
  std::atomic<bool>& stop_;
  std::vector<MetricsRow> rows_;
  std::atomic<std::int64_t> step_{0};
  std::optional<py::error_already_set> error_;
};

// The Python side (sgdsim/_run.py) turns this into a Result.
py::dict run(const PyScenario& self, int threads, const std::optional<std::string>& out,
             const py::object& on_metrics, const py::object& on_round, bool progress,
             double memory_limit_bytes) {
  if (threads < 1 || threads > 256) throw py::value_error("threads: expected 1 to 256");
  if (memory_limit_bytes < 0) throw py::value_error("memory_limit: expected bytes >= 0");
  if (self.scenario.data.kind == "arrays" && !self.scenario.data.arrays) {
    throw py::value_error(fmt::format(
        "{}: data.kind is arrays but no arrays are attached: give data=sgdsim.data.arrays(X, y)",
        self.source));
  }
  std::atomic<bool> stop{false};
  PythonObserver observer(on_metrics, on_round, stop);
  RunOutcome outcome;
  const Scenario& scenario = self.scenario;
  const auto work = [&] {
    if (out) {
      RunOptions options;
      options.out_dir = *out;
      options.quiet = true;
      options.threads = threads;
      options.stop_requested = &stop;
      options.memory_limit_bytes = memory_limit_bytes;
      options.observer = &observer;
      outcome = run_scenario(scenario, options);  // the CLI's files, summary.json last
    } else {
      ScenarioRun run(scenario, RunSetup{threads, memory_limit_bytes, std::nullopt});
      outcome = run.run(observer, &stop);
      outcome.summary["inputs"] = input_fingerprints(scenario);
    }
  };
  const auto started = std::chrono::steady_clock::now();
  auto last = started;
  const auto tick = [&] {
    const auto now = std::chrono::steady_clock::now();
    if (!progress || now - last < std::chrono::milliseconds(500)) return;
    last = now;
    const double done = static_cast<double>(observer.step()) / static_cast<double>(scenario.steps);
    py::module_::import("sys").attr("stderr").attr("write")(fmt::format(
        "\r{}: step {}/{} ({:.0f} %), {:.1f} s", scenario.name, observer.step(), scenario.steps,
        100.0 * done, std::chrono::duration<double>(now - started).count()));
  };
  OffGilOutcome waited = run_off_gil(work, stop, tick);
  if (progress) {
    py::module_::import("sys").attr("stderr").attr("write")(fmt::format(
        "\r{}: {} after {:.1f} s{:20}\n", scenario.name, to_string(outcome.result.status),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), ""));
  }
  if (auto& error = observer.error()) {
    py::error_already_set raised = std::move(*error);
    error.reset();
    throw raised;
  }
  py::dict result;
  result["status"] = to_string(outcome.result.status);
  result["summary"] =
      summary_text(outcome.summary, scenario, outcome.result, outcome.facts, /*indent=*/-1);
  result["metrics"] = metrics_columns(observer.rows());
  result["model"] =
      py::array_t<double>(static_cast<py::ssize_t>(outcome.model.size()), outcome.model.data());
  result["interrupted_by_signal"] = waited.signal_error.has_value();
  if (waited.signal_error) result["signal_error"] = waited.signal_error->value();
  return result;
}

}  // namespace

py::dict metrics_columns(const std::vector<MetricsRow>& rows) {
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::array_t<std::int64_t> step(n), rounds(n), bytes(n);
  py::array_t<double> time(n), train(n), grad(n), test_loss(n), test_accuracy(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    const MetricsRow& r = rows[static_cast<std::size_t>(i)];
    step.mutable_at(i) = r.step;
    time.mutable_at(i) = r.time.seconds();
    rounds.mutable_at(i) = r.comm_rounds;
    bytes.mutable_at(i) = static_cast<std::int64_t>(std::nearbyint(r.bytes_sent));
    train.mutable_at(i) = r.model.train_loss;
    grad.mutable_at(i) = r.model.grad_norm_sq;
    test_loss.mutable_at(i) = r.model.test_loss;
    test_accuracy.mutable_at(i) = r.model.test_accuracy;
  }
  py::dict columns;
  columns["step"] = step;
  columns["sim_time_s"] = time;
  columns["comm_rounds"] = rounds;
  columns["bytes_sent"] = bytes;
  columns["train_loss"] = train;
  columns["grad_norm_sq"] = grad;
  columns["test_loss"] = test_loss;
  columns["test_accuracy"] = test_accuracy;
  return columns;
}

void bind_run(py::module_& m) {
  m.def("run", &run, py::arg("scenario"), py::arg("threads"), py::arg("out"), py::arg("on_metrics"),
        py::arg("on_round"), py::arg("progress"), py::arg("memory_limit_bytes"));
}

}  // namespace sgdsim::python
