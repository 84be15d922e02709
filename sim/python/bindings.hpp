// The C++ side of the Python module `sgdsim` (the package in sim/python/sgdsim/ wraps it):
// scenarios with their numpy inputs, runs and sweeps executed off the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "sim/run/run_observer.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim::python {

namespace py = pybind11;

// A loaded scenario as Python holds it: the text it came from (a sweep reloads it for every point)
// and the arrays attached to it, kept alive for as long as the scenario.
struct PyScenario {
  Scenario scenario;
  std::string text;
  std::string source;  // the file, or "<dict>"
  std::vector<std::string> overrides;
  py::object arrays_owner;  // the numpy arrays behind scenario.data.arrays
  std::shared_ptr<const std::vector<SimTime>> step_times;

  // The scenario with `more` overrides applied on top of its own, arrays attached as here.
  Scenario reload(const std::vector<std::string>& more) const;
};

// metrics.csv's columns as numpy arrays, one entry per row (bytes_sent rounded, as the file has
// it).
py::dict metrics_columns(const std::vector<MetricsRow>& rows);

void bind_scenario(py::module_& m);
void bind_run(py::module_& m);
void bind_sweep(py::module_& m);
void bind_network(py::module_& m);

}  // namespace sgdsim::python
