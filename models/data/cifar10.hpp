#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"

namespace sgdsim {

// Where a user gets the files load_cifar10 reads (not packaged in Debian).
inline constexpr const char* kCifar10Source =
    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, extracted";

// The CIFAR-10 binary version's files in `dir`, in the order they are read: data_batch_1.bin …
// data_batch_5.bin (training), then test_batch.bin.
std::vector<std::string> cifar10_files(const std::string& dir);

// CIFAR-10's binary format: records of a label byte (0..9) and 3072 pixel bytes (1024 red, 1024
// green, 1024 blue, each 32×32 row after row), 10 000 records per file. Reads the five training
// batches in order and the test batch, at most `train_limit` / `test_limit` samples (0: all),
// pixels scaled to [0, 1] and kept in the file's C, H, W order (image shape 3×32×32), 10
// classes. A file may hold fewer than 10 000 records (any whole number, at least one). Throws
// DataError naming the file (and the record) for a missing batch, a size that is not a whole
// number of records, and a label byte above 9.
template <class Scalar>
TrainTestData<Scalar> load_cifar10(const std::string& dir, std::int64_t train_limit = 0,
                                   std::int64_t test_limit = 0);

}  // namespace sgdsim
