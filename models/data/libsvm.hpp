#pragma once

#include <cstdint>
#include <string>

#include "models/data/dataset.hpp"

namespace sgdsim {

// The most features a LIBSVM file may be given; its dense float column alone takes 16 GiB.
inline constexpr std::int64_t kMaxLibsvmFeatures = std::int64_t{1} << 32;

struct LibsvmOptions {
  Task task = Task::regression;   // how labels are read (see load_libsvm)
  std::int64_t num_features = 0;  // d; 0: the largest index in the training and test files
  std::int64_t limit = 0;         // keep the first training samples (0: all)
  std::int64_t test_limit = 0;    // and test samples
  // Largest dense matrix to allocate: a garbled index in a tiny file must fail, not take the
  // machine's memory (run_scenario passes the memory the run may use)
  std::uint64_t max_dense_bytes = std::uint64_t{1} << 34;
};

// Reads a LIBSVM (SVMlight) training file and an optional test file (`test_path` empty: none):
// one sample per line, `label index:value ...` with 1-based, strictly increasing indices, an
// optional `qid:` token after the label (ignored), `#` comments, blank lines and CRLF endings.
// Both become dense d × n matrices of the same width d, absent indices 0. Labels: regression,
// any finite real; binary, -1/+1 or 0/1 (one convention throughout), read as 0/1; multiclass,
// integers, the training file's distinct labels in increasing order becoming classes 0..k-1.
// Every line of both files is checked, even past a limit. Throws DataError naming file, line and
// token for anything else, a test label the training file lacks, an index above num_features,
// or a dense matrix too large to hold in memory.
template <class Scalar>
TrainTestData<Scalar> load_libsvm(const std::string& path, const std::string& test_path,
                                  const LibsvmOptions& options);

}  // namespace sgdsim
