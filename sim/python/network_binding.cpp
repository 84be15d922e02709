// sgdsim.Network: one model of a scenario, outside any run — its loss, gradient and evaluation
// on numpy batches, in the scenario's precision. For checking a model against another framework
// and timing its steps.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>
#include <tuple>

#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "sim/python/bindings.hpp"

namespace sgdsim::python {
namespace {

template <class Scalar>
class TypedNetwork {
 public:
  using Matrix = typename Objective<Scalar>::Matrix;
  using Vector = typename Objective<Scalar>::Vector;
  using Array = py::array_t<Scalar, py::array::c_style | py::array::forcecast>;

  TypedNetwork(const ModelSpec& spec, const ImageShape& shape, int num_classes)
      : shape_(shape), objective_(make_objective<Scalar>(spec, shape.size(), num_classes, shape)) {}

  const Objective<Scalar>& objective() const { return *objective_; }

  // The model a run with this seed starts from.
  py::array initial_params(std::uint64_t seed, bool random) const {
    Rng rng(derive_seed(seed, "init"));
    const Vector params = objective_->initial_params(random, rng);
    return Array(params.size(), params.data());
  }

  // (loss, gradient); with update_state, `params` (a writable array of this precision) receives
  // the moved model state, as a training step leaves it.
  py::tuple loss_and_gradient(const py::array& params_in, const py::array& x_in,
                              const py::array& y_in, bool update_state) const {
    Vector params = to_vector(params_in, "params", objective_->num_params());
    const Array x = batch(x_in);
    const Array y = targets(y_in, x.shape(0));
    Vector grad;
    Scalar loss;
    {
      py::gil_scoped_release unlocked;
      const Eigen::Map<const Matrix> features(x.data(), shape_.size(), x.shape(0));
      const Eigen::Map<const Vector> labels(y.data(), y.shape(0));
      loss = update_state ? objective_->training_loss_and_gradient(params, features, labels, grad)
                          : objective_->loss_and_gradient(params, features, labels, grad);
    }
    if (update_state) {
      py::array_t<Scalar> target = py::array_t<Scalar>::ensure(params_in);
      if (!target || !target.writeable() || target.ndim() != 1 ||
          !(target.flags() & py::array::c_style)) {
        throw std::invalid_argument(
            "update_state: params must be a writable, contiguous 1-D array "
            "of the network's precision");
      }
      std::copy(params.data(), params.data() + params.size(), target.mutable_data());
    }
    return py::make_tuple(static_cast<double>(loss), Array(grad.size(), grad.data()));
  }

  py::tuple evaluate(const py::array& params_in, const py::array& x_in,
                     const py::array& y_in) const {
    const Vector params = to_vector(params_in, "params", objective_->num_params());
    const Array x = batch(x_in);
    const Array y = targets(y_in, x.shape(0));
    Evaluation result;
    {
      py::gil_scoped_release unlocked;
      const Eigen::Map<const Matrix> features(x.data(), shape_.size(), x.shape(0));
      const Eigen::Map<const Vector> labels(y.data(), y.shape(0));
      result = objective_->evaluate(params, features, labels);
    }
    return py::make_tuple(result.loss, result.accuracy);
  }

 private:
  static Vector to_vector(const py::array& in, const char* name, Eigen::Index size) {
    const Array a = Array::ensure(in);
    if (!a || a.ndim() != 1 || a.shape(0) != size) {
      throw std::invalid_argument(std::string(name) + ": expected a 1-D array of " +
                                  std::to_string(size) + " values");
    }
    return Eigen::Map<const Vector>(a.data(), size);
  }

  // Samples as rows: (n, C, H, W) or (n, C·H·W), C-contiguous in this precision (else copied).
  Array batch(const py::array& in) const {
    const Array a = Array::ensure(in);
    if (!a || a.ndim() < 2 || a.shape(0) < 1 || a.size() != a.shape(0) * shape_.size()) {
      throw std::invalid_argument("X: expected (n, " + std::to_string(shape_.channels) + ", " +
                                  std::to_string(shape_.height) + ", " +
                                  std::to_string(shape_.width) + ") or (n, " +
                                  std::to_string(shape_.size()) + ") samples");
    }
    return a;
  }
  static Array targets(const py::array& in, py::ssize_t n) {
    const Array a = Array::ensure(in);
    if (!a || a.ndim() != 1 || a.shape(0) != n) {
      throw std::invalid_argument("y: expected " + std::to_string(n) + " class indices");
    }
    return a;
  }

  ImageShape shape_;
  std::unique_ptr<Objective<Scalar>> objective_;
};

class PyNetwork {
 public:
  PyNetwork(const PyScenario& scenario, std::tuple<int, int, int> shape, int num_classes) {
    const ImageShape image{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)};
    const ModelSpec& spec = scenario.scenario.model;
    if (scenario.scenario.precision == Precision::float64) {
      double_ = std::make_unique<TypedNetwork<double>>(spec, image, num_classes);
    } else {
      float_ = std::make_unique<TypedNetwork<float>>(spec, image, num_classes);
    }
  }

  template <class F>
  auto visit(F f) const {
    return double_ ? f(*double_) : f(*float_);
  }

 private:
  std::unique_ptr<TypedNetwork<float>> float_;
  std::unique_ptr<TypedNetwork<double>> double_;
};

}  // namespace

void bind_network(py::module_& m) {
  py::class_<PyNetwork>(m, "Network")
      .def(py::init<const PyScenario&, std::tuple<int, int, int>, int>())
      .def_property_readonly("num_params",
                             [](const PyNetwork& n) {
                               return n.visit([](auto& t) { return t.objective().num_params(); });
                             })
      .def_property_readonly("num_state",
                             [](const PyNetwork& n) {
                               return n.visit([](auto& t) { return t.objective().num_state(); });
                             })
      .def("flops_per_gradient",
           [](const PyNetwork& n, std::int64_t batch) {
             return n.visit([batch](auto& t) { return t.objective().flops_per_gradient(batch); });
           })
      .def("initial_params",
           [](const PyNetwork& n, std::uint64_t seed, bool random) {
             return n.visit([&](auto& t) { return t.initial_params(seed, random); });
           })
      .def("loss_and_gradient",
           [](const PyNetwork& n, const py::array& params, const py::array& x, const py::array& y,
              bool update_state) {
             return n.visit(
                 [&](auto& t) { return t.loss_and_gradient(params, x, y, update_state); });
           })
      .def("evaluate",
           [](const PyNetwork& n, const py::array& params, const py::array& x, const py::array& y) {
             return n.visit([&](auto& t) { return t.evaluate(params, x, y); });
           });
}

}  // namespace sgdsim::python
