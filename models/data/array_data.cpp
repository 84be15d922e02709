#include "models/data/array_data.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

namespace sgdsim {
namespace {

// Calls f(at) with `at(r, c)` reading element (r, c) as its own type.
template <class F>
void visit(const ArrayView& view, F&& f) {
  const auto typed = [&view, &f](auto* type_tag) {
    using T = std::remove_pointer_t<decltype(type_tag)>;
    const char* base = static_cast<const char*>(view.values);
    f([base, &view](std::int64_t r, std::int64_t c) {
      T value;
      std::memcpy(&value, base + r * view.row_stride + c * view.col_stride, sizeof(T));
      return value;
    });
  };
  switch (view.type) {
    case ElementType::float32:
      return typed(static_cast<float*>(nullptr));
    case ElementType::float64:
      return typed(static_cast<double*>(nullptr));
    case ElementType::int8:
      return typed(static_cast<std::int8_t*>(nullptr));
    case ElementType::int16:
      return typed(static_cast<std::int16_t*>(nullptr));
    case ElementType::int32:
      return typed(static_cast<std::int32_t*>(nullptr));
    case ElementType::int64:
      return typed(static_cast<std::int64_t*>(nullptr));
    case ElementType::uint8:
      return typed(static_cast<std::uint8_t*>(nullptr));
    case ElementType::uint16:
      return typed(static_cast<std::uint16_t*>(nullptr));
    case ElementType::uint32:
      return typed(static_cast<std::uint32_t*>(nullptr));
    case ElementType::uint64:
      return typed(static_cast<std::uint64_t*>(nullptr));
  }
}

// The one copy: n × d rows become the d × n columns, converted to Scalar on the way.
template <class Scalar>
Dataset<Scalar> read_dataset(const ArrayView& x, const ArrayView& y, Task task, const char* x_name,
                             const char* y_name) {
  Dataset<Scalar> data;
  data.features.resize(x.cols, x.rows);
  Scalar* out = data.features.data();
  const auto convert = [x_name](auto value, std::int64_t r, std::int64_t c) {
    if (!std::isfinite(static_cast<double>(value))) {
      throw DataError(fmt::format("{}[{}, {}] is {}: features must be finite", x_name, r, c,
                                  static_cast<double>(value)));
    }
    return static_cast<Scalar>(value);
  };
  // Rows of a C-ordered array are read as they lie; a column-major one (Fortran order) in
  // blocks of rows, so that both the reads and the writes stay within cache lines.
  const std::int64_t block =
      std::abs(x.col_stride) <= std::abs(x.row_stride) ? x.rows : std::int64_t{64};
  visit(x, [&](const auto& at) {
    for (std::int64_t r0 = 0; r0 < x.rows; r0 += block) {
      const std::int64_t r1 = std::min(x.rows, r0 + block);
      for (std::int64_t r = r0; r < r1 && block == x.rows; ++r) {
        for (std::int64_t c = 0; c < x.cols; ++c) out[r * x.cols + c] = convert(at(r, c), r, c);
      }
      for (std::int64_t c = 0; c < x.cols && block != x.rows; ++c) {
        for (std::int64_t r = r0; r < r1; ++r) out[r * x.cols + c] = convert(at(r, c), r, c);
      }
    }
  });
  data.targets.resize(y.rows);
  std::int64_t max_label = 0;
  visit(y, [&](const auto& at) {
    for (std::int64_t i = 0; i < y.rows; ++i) {
      const auto value = static_cast<double>(at(i, 0));
      if (!std::isfinite(value)) {
        throw DataError(fmt::format("{}[{}] is {}: labels must be finite", y_name, i, value));
      }
      if (task != Task::regression) {
        if (value < 0 || value != std::floor(value)) {
          throw DataError(
              fmt::format("{}[{}] = {} is not a class index (0, 1, 2, ...)", y_name, i, value));
        }
        if (task == Task::binary && value > 1) {
          throw DataError(
              fmt::format("{}[{}] = {}: a binary model's labels are 0 or 1", y_name, i, value));
        }
        max_label = std::max(max_label, static_cast<std::int64_t>(value));
      }
      data.targets[i] = static_cast<Scalar>(at(i, 0));
    }
  });
  if (task == Task::binary) data.num_classes = 2;
  if (task == Task::multiclass) {
    data.num_classes = static_cast<int>(std::max<std::int64_t>(2, max_label + 1));
  }
  return data;
}

}  // namespace

bool is_integer(ElementType type) {
  return type != ElementType::float32 && type != ElementType::float64;
}

std::size_t element_bytes(ElementType type) {
  switch (type) {
    case ElementType::int8:
    case ElementType::uint8:
      return 1;
    case ElementType::int16:
    case ElementType::uint16:
      return 2;
    case ElementType::float32:
    case ElementType::int32:
    case ElementType::uint32:
      return 4;
    case ElementType::float64:
    case ElementType::int64:
    case ElementType::uint64:
      return 8;
  }
  return 8;
}

template <class Scalar>
TrainTestData<Scalar> load_arrays(const ArrayData& arrays, Task task) {
  TrainTestData<Scalar> data;
  data.train = read_dataset<Scalar>(arrays.features, arrays.labels, task, "X", "y");
  data.train.image = arrays.image;
  if (arrays.test_features && arrays.test_labels) {
    data.test =
        read_dataset<Scalar>(*arrays.test_features, *arrays.test_labels, task, "X_test", "y_test");
    data.test->num_classes = data.train.num_classes;
    data.test->image = arrays.image;
    check_test_fits_train(data.train, *data.test, "y_test");
  }
  return data;
}

namespace {

std::pair<std::uint32_t, std::uint64_t> crc32_of(const ArrayData& arrays) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto add_bytes = [&crc](const char* from, std::size_t bytes) {
    for (std::size_t done = 0; done < bytes;) {
      const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes - done, 1U << 30));
      crc = crc32(crc, reinterpret_cast<const Bytef*>(from) + done, chunk);
      done += chunk;
    }
  };
  std::uint64_t total = 0;
  const auto add = [&](const ArrayView& view) {
    const auto size = static_cast<std::int64_t>(element_bytes(view.type));
    const char* base = static_cast<const char*>(view.values);
    const auto row_bytes = static_cast<std::size_t>(view.cols * size);
    if (view.col_stride == size && view.row_stride == size * view.cols) {  // C order: one pass
      add_bytes(base, view.bytes());
    } else if (view.col_stride == size) {  // rows contiguous (a column slice): a pass per row
      for (std::int64_t r = 0; r < view.rows; ++r) add_bytes(base + r * view.row_stride, row_bytes);
    } else {  // e.g. Fortran order: each row gathered first
      std::vector<char> row(row_bytes);
      for (std::int64_t r = 0; r < view.rows; ++r) {
        for (std::int64_t c = 0; c < view.cols; ++c) {
          std::memcpy(row.data() + c * size, base + r * view.row_stride + c * view.col_stride,
                      static_cast<std::size_t>(size));
        }
        add_bytes(row.data(), row_bytes);
      }
    }
    total += view.bytes();
  };
  add(arrays.features);
  add(arrays.labels);
  if (arrays.test_features) add(*arrays.test_features);
  if (arrays.test_labels) add(*arrays.test_labels);
  return {static_cast<std::uint32_t>(crc), total};
}

}  // namespace

std::pair<std::uint32_t, std::uint64_t> arrays_crc32(const ArrayData& arrays) {
  std::call_once(arrays.fingerprinted, [&arrays] { arrays.fingerprint = crc32_of(arrays); });
  return arrays.fingerprint;
}

template TrainTestData<float> load_arrays<float>(const ArrayData&, Task);
template TrainTestData<double> load_arrays<double>(const ArrayData&, Task);

}  // namespace sgdsim
