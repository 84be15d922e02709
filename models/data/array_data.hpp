// Data handed over in memory rather than by file (the Python module's numpy arrays): views of
// C-ordered arrays, read into a Dataset once, when a run starts. The views do not own the memory;
// whoever attaches them keeps it alive and unchanged for as long as the scenario is used.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

#include "models/data/dataset.hpp"

namespace sgdsim {

enum class ElementType {
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  uint64
};

bool is_integer(ElementType type);
std::size_t element_bytes(ElementType type);

// rows × cols values; element (r, c) at byte offset r·row_stride + c·col_stride (numpy's strides,
// so a slice or a Fortran-ordered array is read in place). A vector is rows × 1.
struct ArrayView {
  const void* values = nullptr;
  ElementType type = ElementType::float64;
  std::int64_t rows = 0;
  std::int64_t cols = 1;
  std::int64_t row_stride = 0;  // bytes
  std::int64_t col_stride = 0;  // bytes

  std::size_t bytes() const { return static_cast<std::size_t>(rows * cols) * element_bytes(type); }
};

struct ArrayData {
  ArrayView features;  // n × d: one sample per row
  ArrayView labels;    // n: class indices (integers), or regression targets
  std::optional<ArrayView> test_features;
  std::optional<ArrayView> test_labels;
  std::optional<ImageShape> image;  // X was (n, C, H, W): each row is a C×H×W image

  // arrays_crc32's result, taken once: every run of a sweep records it, and the arrays do not
  // change while they are used.
  mutable std::once_flag fingerprinted;
  mutable std::pair<std::uint32_t, std::uint64_t> fingerprint;
};

// The samples as a Dataset (d × n, one sample per column: the same bytes as the n × d rows).
// Throws DataError for a label the task cannot take (naming the array and the index), or a test
// set that does not fit the training set. Shapes must already agree (the binding checks them).
template <class Scalar>
TrainTestData<Scalar> load_arrays(const ArrayData& arrays, Task task);

// CRC-32 of the arrays' elements in row-major order, and their total size: the arrays'
// fingerprint (computed on the first call, then remembered).
std::pair<std::uint32_t, std::uint64_t> arrays_crc32(const ArrayData& arrays);

}  // namespace sgdsim
