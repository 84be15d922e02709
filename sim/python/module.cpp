// PYBIND11_MODULE(_sgdsim): registers the bindings and turns sgdsim's exceptions into Python's:
// ConfigError → sgdsim.ScenarioError (with file, line, column and key), DataError → ValueError.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "models/data/dataset.hpp"
#include "sim/python/bindings.hpp"
#include "sim/scenario/units.hpp"

namespace sgdsim::python {
namespace {

void raise_scenario_error(const ConfigError& error) {
  py::list problems;
  for (const ConfigProblem& p : error.problems()) {
    py::dict problem;
    problem["message"] = p.message;
    problem["file"] = p.place.file.empty() ? py::object(py::none()) : py::str(p.place.file);
    problem["line"] = p.place.line > 0 ? py::object(py::int_(p.place.line)) : py::none();
    problem["column"] = p.place.column > 0 ? py::object(py::int_(p.place.column)) : py::none();
    problem["key"] = p.key.empty() ? py::object(py::none()) : py::str(p.key);
    problem["what"] = p.what.empty() ? py::object(py::none()) : py::str(p.what);
    problem["set"] = p.place.set;
    problems.append(problem);
  }
  const py::object cls = py::module_::import("sgdsim._errors").attr("ScenarioError");
  const py::object instance = cls.attr("_from_problems")(problems);
  PyErr_SetObject(cls.ptr(), instance.ptr());
}

}  // namespace
}  // namespace sgdsim::python

PYBIND11_MODULE(_sgdsim, m) {
  namespace py = pybind11;
  using namespace sgdsim::python;
  m.doc() = "C++ core of sgdsim; use the package `sgdsim`, which wraps it.";
  m.attr("version") = SGDSIM_VERSION;
  m.attr("cli") = SGDSIM_CLI;
#ifdef SGDSIM_HAVE_MPI
  m.attr("has_mpi") = true;
#else
  m.attr("has_mpi") = false;
#endif
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const sgdsim::ConfigError& e) {
      raise_scenario_error(e);
    } catch (const sgdsim::DataError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  // Sizes as a scenario writes them (8GiB, 500MB): the same units everywhere.
  m.def("parse_size_bytes", [](const std::string& text) { return sgdsim::parse_size_bytes(text); });
  m.attr("size_units") = sgdsim::size_units_help();
  bind_scenario(m);
  bind_run(m);
  bind_sweep(m);
  bind_network(m);
}
