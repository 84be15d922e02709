#pragma once

#include <cstdint>
#include <string>

#include "models/data/data_file.hpp"
#include "models/data/dataset.hpp"

namespace sgdsim {

// Reads a CSV file with a header row; every other row holds the features and then the label.
// Regression labels are real numbers; class labels are integers 0..k-1 (binary: 0 or 1), and
// num_classes becomes max label + 1 (at least 2). Throws DataError naming file and line on a ragged
// row, a non-numeric or non-finite cell, or a label that does not fit `task`.
template <class Scalar>
Dataset<Scalar> load_csv(const std::string& path, Task task,
                         std::uint64_t max_bytes = kMaxDataFileBytes);

}  // namespace sgdsim
