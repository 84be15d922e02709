#include "models/batch_shape.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sgdsim {

void check_batch_shape(const char* model, Eigen::Index num_params, Eigen::Index expected_params,
                       Eigen::Index rows, Eigen::Index num_features, Eigen::Index cols,
                       Eigen::Index num_targets) {
  if (num_params != expected_params || rows != num_features || cols != num_targets || cols == 0) {
    throw std::invalid_argument(fmt::format(
        "{}: expected {} params and a non-empty {}-row batch with one target per column; got {} "
        "params, {}×{} features, {} targets",
        model, expected_params, num_features, num_params, rows, cols, num_targets));
  }
}

}  // namespace sgdsim
