// sgdsim._sgdsim.Scenario: loading (a file or text, with --set style overrides), the resolved
// form as JSON, and numpy arrays attached as data (`data.kind: arrays`) or step times
// (`compute.times: arrays`). Arrays are viewed in place, never copied here: a run reads them
// once, into its own matrices, when it starts.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <fmt/format.h>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/python/bindings.hpp"
#include "sim/scenario/scenario_json.hpp"

namespace sgdsim::python {
namespace {

ElementType element_type(const py::array& array, const char* name) {
  const py::dtype dtype = array.dtype();
  const char kind = dtype.kind();
  const auto size = dtype.itemsize();
  if (kind == 'f' && size == 4) return ElementType::float32;
  if (kind == 'f' && size == 8) return ElementType::float64;
  if (kind == 'b') return ElementType::uint8;
  if (kind == 'i' || kind == 'u') {
    const bool is_signed = kind == 'i';
    switch (size) {
      case 1:
        return is_signed ? ElementType::int8 : ElementType::uint8;
      case 2:
        return is_signed ? ElementType::int16 : ElementType::uint16;
      case 4:
        return is_signed ? ElementType::int32 : ElementType::uint32;
      case 8:
        return is_signed ? ElementType::int64 : ElementType::uint64;
      default:
        break;
    }
  }
  throw py::type_error(
      fmt::format("{} has dtype {}; expected float32 or float64 (labels: an integer dtype)", name,
                  py::str(static_cast<const py::handle&>(dtype)).cast<std::string>()));
}

ArrayView view_of(const py::array& array, const char* name, int ndim) {
  if (array.ndim() != ndim) {
    throw py::value_error(
        fmt::format("{} has {} dimension{} (shape {}); expected {}", name, array.ndim(),
                    array.ndim() == 1 ? "" : "s", py::str(array.attr("shape")).cast<std::string>(),
                    ndim == 2 ? "2: samples × features" : "1: one label per sample"));
  }
  ArrayView view;
  view.values = array.data();
  view.type = element_type(array, name);
  view.rows = array.shape(0);
  view.cols = ndim == 2 ? array.shape(1) : 1;
  view.row_stride = array.strides(0);
  view.col_stride = ndim == 2 ? array.strides(1) : static_cast<std::int64_t>(array.itemsize());
  if (view.rows == 0 || view.cols == 0) {
    throw py::value_error(fmt::format("{} is empty", name));
  }
  return view;
}

void check_labels(const ArrayView& x, const ArrayView& y, const char* x_name, const char* y_name) {
  if (y.rows != x.rows) {
    throw py::value_error(fmt::format("{} has {} labels but {} has {} samples (rows)", y_name,
                                      y.rows, x_name, x.rows));
  }
}

// Views of the arrays (checked: shapes, dtypes) and the tuple that keeps them alive.
std::pair<std::shared_ptr<ArrayData>, py::tuple> array_data(const py::object& x_in,
                                                            const py::object& y_in,
                                                            const py::object& x_test_in,
                                                            const py::object& y_test_in) {
  if (x_test_in.is_none() != y_test_in.is_none()) {
    throw py::value_error("give both X_test and y_test, or neither");
  }
  const py::array x = py::array::ensure(x_in);
  const py::array y = py::array::ensure(y_in);
  if (!x || !y) throw py::type_error("X and y must be numpy arrays (or convertible to them)");
  auto data = std::make_shared<ArrayData>();
  data->features = view_of(x, "X", 2);
  data->labels = view_of(y, "y", 1);
  check_labels(data->features, data->labels, "X", "y");
  if (x_test_in.is_none()) return {std::move(data), py::make_tuple(x, y)};
  const py::array x_test = py::array::ensure(x_test_in);
  const py::array y_test = py::array::ensure(y_test_in);
  if (!x_test || !y_test) throw py::type_error("X_test and y_test must be numpy arrays");
  data->test_features = view_of(x_test, "X_test", 2);
  data->test_labels = view_of(y_test, "y_test", 1);
  check_labels(*data->test_features, *data->test_labels, "X_test", "y_test");
  if (data->test_features->cols != data->features.cols) {
    throw py::value_error(fmt::format("X_test has {} features (columns) but X has {}",
                                      data->test_features->cols, data->features.cols));
  }
  return {std::move(data), py::make_tuple(x, y, x_test, y_test)};
}

void attach_arrays(PyScenario& self, const py::object& x, const py::object& y,
                   const py::object& x_test, const py::object& y_test,
                   std::optional<std::tuple<int, int, int>> image) {
  if (self.scenario.data.kind != "arrays") {
    throw py::value_error(
        fmt::format("{}: data.kind is {}: arrays attach to a scenario with data: {{kind: arrays}}",
                    self.source, self.scenario.data.kind));
  }
  auto [data, owner] = array_data(x, y, x_test, y_test);
  if (image) {
    const auto [c, h, w] = *image;
    data->image = ImageShape{c, h, w};
    if (data->image->size() != data->features.cols) {
      throw py::value_error("image shape does not match X's features");
    }
  }
  self.arrays_owner = owner;
  self.scenario.data.arrays = std::move(data);
}

void attach_step_times(PyScenario& self, const py::object& times_in) {
  if (!self.scenario.compute.times_in_memory) {
    throw py::value_error(fmt::format(
        "{}: step times attach to a scenario with compute: {{kind: empirical, times: arrays}}",
        self.source));
  }
  const py::array_t<double, py::array::forcecast> seconds = py::array::ensure(times_in);
  if (!seconds || seconds.ndim() != 1 || seconds.size() == 0) {
    throw py::value_error("step times: expected a non-empty 1-D array of seconds");
  }
  auto times = std::make_shared<std::vector<SimTime>>();
  times->reserve(static_cast<std::size_t>(seconds.size()));
  const auto at = seconds.unchecked<1>();
  for (py::ssize_t i = 0; i < seconds.size(); ++i) {
    const double s = at(i);
    // The same range as a step-time file's (sim/cluster/empirical_step_times.cpp).
    if (!(s >= 1e-9 && s <= 1e6)) {
      throw py::value_error(fmt::format(
          "step times[{}] = {}: a step time is from 1e-9 s (the clock's resolution) to 1e6 s", i,
          s));
    }
    times->push_back(SimTime::from_seconds(s));
  }
  self.step_times = times;
  self.scenario.compute.times = std::move(times);
}

PyScenario make(std::string text, std::string source, std::vector<std::string> overrides) {
  PyScenario s;
  {
    py::gil_scoped_release release;  // a cluster file or a large scenario takes a while
    s.scenario = load_scenario_text(text, source, overrides);
  }
  s.text = std::move(text);
  s.source = std::move(source);
  s.overrides = std::move(overrides);
  return s;
}

PyScenario load_file(const std::string& path, const std::vector<std::string>& overrides) {
  // The file loader's checks (a directory, a missing or huge file) and messages are the CLI's.
  PyScenario s;
  {
    py::gil_scoped_release release;
    s.scenario = load_scenario_file(path, overrides);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  s.text = text.str();
  s.source = path;
  s.overrides = overrides;
  return s;
}

}  // namespace

Scenario PyScenario::reload(const std::vector<std::string>& more) const {
  std::vector<std::string> all = overrides;
  all.insert(all.end(), more.begin(), more.end());
  Scenario loaded = load_scenario_text(text, source, all);
  if (loaded.data.kind == "arrays") loaded.data.arrays = scenario.data.arrays;
  if (loaded.compute.times_in_memory) loaded.compute.times = step_times;
  return loaded;
}

void bind_scenario(py::module_& m) {
  m.def(
      "check_arrays",
      [](const py::object& x, const py::object& y, const py::object& x_test,
         const py::object& y_test) { (void)array_data(x, y, x_test, y_test); },
      py::arg("X"), py::arg("y"), py::arg("X_test"), py::arg("y_test"));
  py::class_<PyScenario>(m, "Scenario")
      .def_static("load_file", &load_file, py::arg("path"), py::arg("overrides"))
      .def_static("load_text", &make, py::arg("text"), py::arg("source"), py::arg("overrides"))
      .def(
          "with_overrides",
          [](const PyScenario& self, const std::vector<std::string>& more) {
            PyScenario next;
            {
              py::gil_scoped_release release;
              next.scenario = self.reload(more);
            }
            next.text = self.text;
            next.source = self.source;
            next.overrides = self.overrides;
            next.overrides.insert(next.overrides.end(), more.begin(), more.end());
            next.arrays_owner = self.arrays_owner;
            next.step_times = self.step_times;
            return next;
          },
          py::arg("overrides"))
      .def("sweep_json",
           [](const PyScenario& self) { return sweep_to_json(self.scenario.sweep).dump(); })
      .def_property_readonly("interval",
                             [](const PyScenario& s) -> std::optional<std::int64_t> {
                               const IntervalKind kind =
                                   s.scenario.algorithm.interval_schedule.kind;
                               if (kind != IntervalKind::fixed && kind != IntervalKind::theory) {
                                 return std::nullopt;
                               }
                               return s.scenario.algorithm.interval;
                             })
      .def_property_readonly("lr", [](const PyScenario& s) { return s.scenario.algorithm.lr; })
      .def("resolved_json",
           [](const PyScenario& self) { return scenario_to_json(self.scenario).dump(); })
      .def("attach_arrays", &attach_arrays, py::arg("X"), py::arg("y"), py::arg("X_test"),
           py::arg("y_test"), py::arg("image") = py::none())
      .def("attach_step_times", &attach_step_times, py::arg("times"))
      .def_property_readonly("text", [](const PyScenario& s) { return s.text; })
      .def_property_readonly("source", [](const PyScenario& s) { return s.source; })
      .def_property_readonly("overrides", [](const PyScenario& s) { return s.overrides; })
      .def_property_readonly("name", [](const PyScenario& s) { return s.scenario.name; })
      .def_property_readonly("workers", [](const PyScenario& s) { return s.scenario.workers; })
      .def_property_readonly("steps", [](const PyScenario& s) { return s.scenario.steps; })
      .def_property_readonly("seed", [](const PyScenario& s) { return s.scenario.seed; })
      .def_property_readonly("has_sweep",
                             [](const PyScenario& s) { return s.scenario.sweep.enabled(); })
      .def_property_readonly("needs_arrays",
                             [](const PyScenario& s) {
                               return s.scenario.data.kind == "arrays" && !s.scenario.data.arrays;
                             })
      .def_property_readonly("needs_step_times", [](const PyScenario& s) {
        return s.scenario.compute.times_in_memory && !s.scenario.compute.times;
      });
}

}  // namespace sgdsim::python
