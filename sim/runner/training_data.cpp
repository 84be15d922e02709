#include "sim/runner/training_data.hpp"

#include <algorithm>
#include <cstdint>

#include "models/data/array_data.hpp"
#include "models/data/cifar10.hpp"
#include "models/data/csv.hpp"
#include "models/data/idx.hpp"
#include "models/data/libsvm.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "models/rng.hpp"

namespace sgdsim {
namespace {

template <class Scalar>
void keep_first(Dataset<Scalar>& data, std::int64_t limit) {
  if (limit <= 0 || limit >= data.num_samples()) return;
  data.features.conservativeResize(Eigen::NoChange, limit);
  data.targets.conservativeResize(limit);
}

}  // namespace

template <class Scalar>
TrainTestData<Scalar> load_training_data(const Scenario& s, double memory_limit) {
  const DataSpec& d = s.data;
  TrainTestData<Scalar> data;
  if (d.kind == "synthetic") {
    data = make_synthetic<Scalar>(d.synthetic, derive_seed(s.seed, "data"));
  } else if (d.kind == "csv") {
    const Task task = find_model(s.model.kind)->task;
    // The file's text is held while it is parsed: it alone must fit in what the run may use.
    const std::uint64_t max_bytes =
        memory_limit > 0
            ? std::min<std::uint64_t>(kMaxDataFileBytes, static_cast<std::uint64_t>(memory_limit))
            : kMaxDataFileBytes;
    data.train = load_csv<Scalar>(d.path, task, max_bytes);
    if (!d.test_path.empty()) data.test = load_csv<Scalar>(d.test_path, task, max_bytes);
  } else if (d.kind == "arrays") {
    if (!d.arrays) {
      throw DataError(
          "kind arrays is data given in memory (Python: sgdsim.data.arrays(X, y)); none were "
          "attached, and a scenario file cannot hold them");
    }
    data = load_arrays<Scalar>(*d.arrays, find_model(s.model.kind)->task);
  } else if (d.kind == "libsvm") {
    LibsvmOptions options{find_model(s.model.kind)->task, d.features, d.limit, d.test_limit};
    if (memory_limit > 0) {
      options.max_dense_bytes =
          std::min(options.max_dense_bytes, static_cast<std::uint64_t>(memory_limit));
    }
    data = load_libsvm<Scalar>(d.path, d.test_path, options);
  } else if (d.kind == "cifar10") {
    data = load_cifar10<Scalar>(d.path, d.limit, d.test_limit);
  } else {
    data = load_fashion_mnist<Scalar>(d.path, d.limit, d.test_limit);
  }
  keep_first(data.train, d.limit);
  if (data.test) keep_first(*data.test, d.test_limit);
  // Files read one at a time may disagree; the model would reject such a test set only at the
  // first measurement, mid-run, in terms of matrix shapes.
  if (data.test && d.kind != "synthetic" && d.kind != "arrays") {
    check_test_fits_train(data.train, *data.test, d.test_path.empty() ? d.path : d.test_path);
  }
  return data;
}

template TrainTestData<float> load_training_data<float>(const Scenario&, double);
template TrainTestData<double> load_training_data<double>(const Scenario&, double);

}  // namespace sgdsim
