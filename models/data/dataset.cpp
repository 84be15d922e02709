#include "models/data/dataset.hpp"

#include <fmt/format.h>

namespace sgdsim {

const char* to_string(Task task) {
  switch (task) {
    case Task::regression:
      return "regression";
    case Task::binary:
      return "binary";
    case Task::multiclass:
      return "multiclass";
  }
  return "unknown";
}

template <class Scalar>
void check_test_fits_train(const Dataset<Scalar>& train, const Dataset<Scalar>& test,
                           const std::string& test_path) {
  if (test.num_features() != train.num_features()) {
    throw DataError(test_path + ": " + std::to_string(test.num_features()) +
                    " features per sample, but the training set has " +
                    std::to_string(train.num_features()));
  }
  if (train.num_classes == 0) return;
  for (Eigen::Index i = 0; i < test.num_samples(); ++i) {
    const Scalar label = test.targets[i];
    if (!(label >= 0 && label < static_cast<Scalar>(train.num_classes))) {
      throw DataError(test_path + ": label " + fmt::format("{}", label) + " of sample " +
                      std::to_string(i + 1) + " is not a class of the training set (0.." +
                      std::to_string(train.num_classes - 1) + ")");
    }
  }
}

template void check_test_fits_train<float>(const Dataset<float>&, const Dataset<float>&,
                                           const std::string&);
template void check_test_fits_train<double>(const Dataset<double>&, const Dataset<double>&,
                                            const std::string&);

}  // namespace sgdsim
