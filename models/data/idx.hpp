#pragma once

#include <cstdint>
#include <string>

#include "models/data/dataset.hpp"

namespace sgdsim {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads an IDX image file and its label file (optionally gzip-compressed, as Debian ships them),
// pixels scaled to [0, 1]; at most `limit` samples when limit > 0. Throws DataError on a wrong
// magic number, truncated or corrupt data, mismatched counts or labels >= 10.
template <class Scalar>
Dataset<Scalar> load_idx(const std::string& images_path, const std::string& labels_path,
                         std::int64_t limit = 0);

// Fashion-MNIST (train-*/t10k-* files in `dir`): 60 000 training and 10 000 test images, 10
// classes.
template <class Scalar>
TrainTestData<Scalar> load_fashion_mnist(const std::string& dir, std::int64_t train_limit = 0,
                                         std::int64_t test_limit = 0);

}  // namespace sgdsim
