// sgdsim._sgdsim.sweep: every point of a scenario's sweep: section, several runs at once, off the
// GIL; in memory, or in an output directory exactly as `sgdsim sweep --out` (and resumable).
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <atomic>
#include <mutex>

#include "sim/python/bindings.hpp"
#include "sim/python/off_gil.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace sgdsim::python {
namespace {

py::dict sweep(const PyScenario& self, int jobs, const std::optional<std::string>& out,
               bool progress) {
  if (jobs < 1) throw py::value_error("jobs: expected at least 1");
  SweepPlan plan;
  {
    py::gil_scoped_release release;
    plan =
        plan_sweep([&self](const std::vector<std::string>& more) { return self.reload(more); }, {});
  }
  std::atomic<bool> stop{false};
  SweepOptions options;
  options.out_dir = out.value_or("");
  options.jobs = jobs;
  options.quiet = true;
  options.stop_requested = &stop;
  std::mutex mutex;
  std::vector<std::string> finished;  // reported by the next tick
  std::size_t done = 0;
  if (progress) {
    options.on_run_done = [&](const SweepRun& run, const SweepRunRecord& record) {
      const std::lock_guard lock(mutex);
      ++done;
      finished.push_back(fmt::format("[{}/{}] {} {}{}", done, plan.runs.size(), run.id,
                                     record.status,
                                     record.error.empty() ? "" : ": " + record.error));
    };
  }
  SweepOutcome outcome;
  const auto tick = [&] {
    std::vector<std::string> lines;
    {
      const std::lock_guard lock(mutex);
      lines.swap(finished);
    }
    for (const std::string& line : lines) {
      py::module_::import("sys").attr("stderr").attr("write")(line + "\n");
    }
  };
  OffGilOutcome waited = run_off_gil([&] { outcome = run_sweep(plan, options); }, stop, tick);
  tick();
  py::list runs;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const SweepRun& run = plan.runs[i];
    const SweepRunRecord& record = outcome.records[i];
    py::dict r;
    r["id"] = run.id;
    r["point"] = run.point;
    r["replicate"] = run.replicate;
    r["values"] = run.values;
    r["status"] = record.status;
    r["summary"] = record.summary.is_null() ? std::string() : record.summary.dump();
    r["error"] = record.error;
    r["metrics"] = metrics_columns(record.metrics);
    runs.append(r);
  }
  py::dict result;
  result["runs"] = runs;
  result["axes"] = [&] {
    std::vector<std::string> keys;
    for (const SweepAxis& axis : plan.spec.axes) keys.push_back(axis.key);
    return keys;
  }();
  result["runs_csv"] = outcome.runs_csv;
  result["aggregate_csv"] = outcome.aggregate_csv;
  result["ran"] = outcome.ran;
  result["skipped"] = outcome.skipped;
  result["diverged"] = outcome.diverged;
  result["failed"] = outcome.failed;
  result["not_run"] = outcome.not_run;
  result["interrupted"] = outcome.interrupted;
  result["interrupted_by_signal"] = waited.signal_error.has_value();
  if (waited.signal_error) result["signal_error"] = waited.signal_error->value();
  return result;
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("sweep", &sweep, py::arg("scenario"), py::arg("jobs"), py::arg("out"), py::arg("progress"));
}

}  // namespace sgdsim::python
