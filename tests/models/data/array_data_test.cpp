// Arrays handed over in memory: read once, by strides, into the d × n Dataset, with labels checked.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "models/data/array_data.hpp"

using sgdsim::ArrayData;
using sgdsim::ArrayView;
using sgdsim::DataError;
using sgdsim::ElementType;
using sgdsim::Task;

namespace {

// 3 samples × 2 features, C order: sample i is (10i, 10i + 1).
const std::array<double, 6> kRows = {0, 1, 10, 11, 20, 21};
// The same matrix in Fortran order.
const std::array<double, 6> kColumns = {0, 10, 20, 1, 11, 21};
const std::array<std::int64_t, 3> kLabels = {2, 0, 1};

ArrayView matrix(const double* values, bool fortran) {
  return ArrayView{values, ElementType::float64, 3, 2, fortran ? 8 : 16, fortran ? 24 : 8};
}

ArrayView labels(const std::int64_t* values) {
  return ArrayView{values, ElementType::int64, 3, 1, 8, 8};
}

}  // namespace

TEST_CASE("arrays become one sample per column, in either memory order", "[data][arrays]") {
  for (const bool fortran : {false, true}) {
    ArrayData arrays;
    arrays.features = matrix(fortran ? kColumns.data() : kRows.data(), fortran);
    arrays.labels = labels(kLabels.data());
    const auto data = sgdsim::load_arrays<float>(arrays, Task::multiclass);
    REQUIRE(data.train.num_samples() == 3);
    REQUIRE(data.train.num_features() == 2);
    CHECK(data.train.features(0, 2) == 20.0f);
    CHECK(data.train.features(1, 2) == 21.0f);
    CHECK(data.train.targets[0] == 2.0f);
    CHECK(data.train.num_classes == 3);
    CHECK_FALSE(data.test);
  }
  // The fingerprint is of the elements, not of their layout.
  ArrayData c, f;
  c.features = matrix(kRows.data(), false);
  f.features = matrix(kColumns.data(), true);
  c.labels = f.labels = labels(kLabels.data());
  CHECK(sgdsim::arrays_crc32(c) == sgdsim::arrays_crc32(f));
  CHECK(sgdsim::arrays_crc32(c).second == 6 * 8 + 3 * 8);
}

TEST_CASE("labels a model cannot take are refused with the array and index", "[data][arrays]") {
  const std::array<double, 3> fractional = {0, 1.5, 1};
  const std::array<std::int64_t, 3> two = {0, 2, 1};
  ArrayData arrays;
  arrays.features = matrix(kRows.data(), false);
  arrays.labels = ArrayView{fractional.data(), ElementType::float64, 3, 1, 8, 8};
  CHECK_THROWS_WITH(sgdsim::load_arrays<double>(arrays, Task::multiclass),
                    "y[1] = 1.5 is not a class index (0, 1, 2, ...)");
  CHECK_NOTHROW(sgdsim::load_arrays<double>(arrays, Task::regression));
  arrays.labels = labels(two.data());
  CHECK_THROWS_WITH(sgdsim::load_arrays<double>(arrays, Task::binary),
                    "y[1] = 2: a binary model's labels are 0 or 1");
}

TEST_CASE("a test set keeps the training set's classes", "[data][arrays]") {
  const std::array<std::int64_t, 3> small = {0, 1, 0};
  const std::array<std::int64_t, 3> beyond = {0, 3, 0};
  ArrayData arrays;
  arrays.features = matrix(kRows.data(), false);
  arrays.labels = labels(kLabels.data());
  arrays.test_features = matrix(kRows.data(), false);
  arrays.test_labels = labels(small.data());
  const auto data = sgdsim::load_arrays<float>(arrays, Task::multiclass);
  REQUIRE(data.test);
  CHECK(data.test->num_classes == 3);
  arrays.test_labels = labels(beyond.data());
  CHECK_THROWS_AS(sgdsim::load_arrays<float>(arrays, Task::multiclass), DataError);
}
