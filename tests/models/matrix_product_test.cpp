// The matrix products in every instruction set this build and CPU run: equal to an exact
// (long double) product within rounding, the same bits on every call, the default set equal to
// Eigen's own expression bit for bit; and how a set is chosen.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/mlp.hpp"
#include "models/products/instruction_set.hpp"
#include "models/products/matrix_product.hpp"
#include "models/rng.hpp"

namespace {

using sgdsim::InstructionSet;
using sgdsim::Transposed;

template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

constexpr InstructionSet kSets[] = {InstructionSet::default_build, InstructionSet::avx2,
                                    InstructionSet::avx512};

// Restores the active set when a test is done with it.
class ActiveSet {
 public:
  explicit ActiveSet(InstructionSet set) : previous_(sgdsim::active_instruction_set()) {
    sgdsim::set_active_instruction_set(set);
  }
  ~ActiveSet() { sgdsim::set_active_instruction_set(previous_); }
  ActiveSet(const ActiveSet&) = delete;
  ActiveSet& operator=(const ActiveSet&) = delete;

 private:
  InstructionSet previous_;
};

std::vector<InstructionSet> supported_sets() {
  std::vector<InstructionSet> sets;
  for (InstructionSet set : kSets) {
    if (sgdsim::instruction_set_supported(set)) {
      sets.push_back(set);
    } else {
      WARN("instruction set " << sgdsim::instruction_set_name(set)
                              << " not run here (not in this build, or not on this CPU)");
    }
  }
  return sets;
}

template <class Scalar>
Matrix<Scalar> random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  sgdsim::Rng rng(seed);
  Matrix<Scalar> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(rng.normal());
  return m;
}

struct Shape {
  Eigen::Index rows, inner, cols;
};

// Small (under Eigen's threshold for its coefficient-wise product: 8x4x3 and 13x2x3 have rows of
// whole packets), vector-like, odd and the MLP's and a convolution's sizes.
constexpr Shape kShapes[] = {{0, 3, 4},      {3, 0, 4},     {1, 1, 1},      {3, 4, 5},
                             {8, 4, 3},      {13, 2, 3},    {1, 57, 33},    {40, 57, 1},
                             {37, 19, 53},   {10, 784, 32}, {128, 784, 32}, {784, 128, 32},
                             {16, 144, 1024}};

template <class Scalar>
void check_against_exact(const Shape& shape, Transposed transposed) {
  const Eigen::Index a_rows = transposed == Transposed::lhs ? shape.inner : shape.rows;
  const Eigen::Index a_cols = transposed == Transposed::lhs ? shape.rows : shape.inner;
  const Eigen::Index b_rows = transposed == Transposed::rhs ? shape.cols : shape.inner;
  const Eigen::Index b_cols = transposed == Transposed::rhs ? shape.inner : shape.cols;
  // Operands are blocks of larger matrices, so that their outer strides are not their heights.
  const Matrix<Scalar> a_storage = random_matrix<Scalar>(a_rows + 3, a_cols + 1, 1);
  const Matrix<Scalar> b_storage = random_matrix<Scalar>(b_rows + 2, b_cols, 2);
  const auto a = a_storage.block(1, 1, a_rows, a_cols);
  const auto b = b_storage.bottomRows(b_rows);
  const Matrix<long double> a_exact =
      (transposed == Transposed::lhs ? Matrix<Scalar>(a.transpose()) : Matrix<Scalar>(a))
          .template cast<long double>();
  const Matrix<long double> b_exact =
      (transposed == Transposed::rhs ? Matrix<Scalar>(b.transpose()) : Matrix<Scalar>(b))
          .template cast<long double>();
  const Matrix<long double> exact = a_exact * b_exact;
  const Matrix<long double> magnitude = a_exact.cwiseAbs() * b_exact.cwiseAbs();

  for (InstructionSet set : supported_sets()) {
    INFO("set " << sgdsim::instruction_set_name(set));
    const ActiveSet active(set);
    Matrix<Scalar> c_storage = Matrix<Scalar>::Constant(shape.rows + 2, shape.cols, Scalar(7));
    auto c = c_storage.topRows(shape.rows);
    sgdsim::multiply<Scalar>(a, b, c, transposed);
    const auto eps = static_cast<long double>(std::numeric_limits<Scalar>::epsilon());
    const long double bound = 2 * static_cast<long double>(shape.inner + 1) * eps;
    for (Eigen::Index j = 0; j < shape.cols; ++j) {
      for (Eigen::Index i = 0; i < shape.rows; ++i) {
        const long double error = std::abs(static_cast<long double>(c(i, j)) - exact(i, j));
        if (error > bound * magnitude(i, j) + std::numeric_limits<Scalar>::min()) {
          FAIL_CHECK("c(" << i << ", " << j << ") = " << c(i, j) << ", exact "
                          << static_cast<double>(exact(i, j)));
        }
      }
    }
    CHECK((c_storage.bottomRows(2).array() == Scalar(7)).all());  // rows beyond c untouched

    Matrix<Scalar> again(shape.rows, shape.cols);
    sgdsim::multiply<Scalar>(a, b, again, transposed);
    CHECK(again == Matrix<Scalar>(c));
  }
}

template <class Scalar>
void check_all_shapes() {
  for (const Shape& shape : kShapes) {
    for (Transposed transposed : {Transposed::none, Transposed::lhs, Transposed::rhs}) {
      INFO(shape.rows << "x" << shape.inner << " times " << shape.inner << "x" << shape.cols
                      << ", transposed " << static_cast<int>(transposed));
      check_against_exact<Scalar>(shape, transposed);
    }
  }
}

}  // namespace

TEST_CASE("matrix products are exact within rounding in every instruction set",
          "[models][products]") {
  SECTION("float") {
    check_all_shapes<float>();
  }
  SECTION("double") {
    check_all_shapes<double>();
  }
}

template <class Scalar>
void check_alignments() {
  // Each operand at 0…15 scalars from a 64-byte boundary, independently: every alignment a heap
  // block (16-byte aligned) or a Map into the flat parameters can have.
  constexpr Eigen::Index kOffsets[] = {0, 1, 2, 3, 4, 7, 8, 12};
  for (InstructionSet set : supported_sets()) {
    const ActiveSet active(set);
    for (const Shape& shape : kShapes) {
      for (Transposed transposed : {Transposed::none, Transposed::lhs, Transposed::rhs}) {
        INFO("set " << sgdsim::instruction_set_name(set) << ", " << shape.rows << "x" << shape.inner
                    << "x" << shape.cols << ", transposed " << static_cast<int>(transposed));
        const bool ta = transposed == Transposed::lhs, tb = transposed == Transposed::rhs;
        const Eigen::Index a_rows = ta ? shape.inner : shape.rows;
        const Eigen::Index a_cols = ta ? shape.rows : shape.inner;
        const Eigen::Index b_rows = tb ? shape.cols : shape.inner;
        const Eigen::Index b_cols = tb ? shape.inner : shape.cols;
        const Matrix<Scalar> a = random_matrix<Scalar>(a_rows, a_cols, 8);
        const Matrix<Scalar> b = random_matrix<Scalar>(b_rows, b_cols, 9);
        // Three 64-byte aligned blocks, each with room for the operand at its largest offset.
        const auto block = [](Eigen::Index size) { return (size + 16 + 15) / 16 * 16; };
        std::vector<Scalar> storage(static_cast<std::size_t>(block(a.size()) + block(b.size()) +
                                                             block(shape.rows * shape.cols) + 16));
        Scalar* base = storage.data();
        while (reinterpret_cast<std::uintptr_t>(base) % 64 != 0) ++base;
        Scalar* const a_block = base;
        Scalar* const b_block = a_block + block(a.size());
        Scalar* const c_block = b_block + block(b.size());
        Matrix<Scalar> first;
        for (Eigen::Index a_offset : kOffsets) {
          for (Eigen::Index b_offset : kOffsets) {
            for (Eigen::Index c_offset : kOffsets) {
              Eigen::Map<Matrix<Scalar>>(a_block + a_offset, a_rows, a_cols) = a;
              Eigen::Map<Matrix<Scalar>>(b_block + b_offset, b_rows, b_cols) = b;
              Eigen::Map<Matrix<Scalar>> c(c_block + c_offset, shape.rows, shape.cols);
              sgdsim::multiply<Scalar>(
                  Eigen::Map<const Matrix<Scalar>>(a_block + a_offset, a_rows, a_cols),
                  Eigen::Map<const Matrix<Scalar>>(b_block + b_offset, b_rows, b_cols), c,
                  transposed);
              if (first.size() == 0 && a_offset == 0 && b_offset == 0 && c_offset == 0) {
                first = c;
              } else if (Matrix<Scalar>(c) != first) {
                FAIL_CHECK("offsets " << a_offset << ", " << b_offset << ", " << c_offset
                                      << " scalars change the bits");
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("matrix products have the same bits wherever their operands lie in memory",
          "[models][products]") {
  SECTION("float") {
    check_alignments<float>();
  }
  SECTION("double") {
    check_alignments<double>();
  }
}

TEST_CASE("the default set is Eigen's own product, bit for bit", "[models][products]") {
  const ActiveSet active(InstructionSet::default_build);
  for (const Shape& shape : kShapes) {
    INFO(shape.rows << "x" << shape.inner << "x" << shape.cols);
    const Matrix<float> a = random_matrix<float>(shape.rows, shape.inner, 3);
    const Matrix<float> b = random_matrix<float>(shape.inner, shape.cols, 4);
    const Matrix<float> at = a.transpose();
    const Matrix<float> bt = b.transpose();
    Matrix<float> expected(shape.rows, shape.cols);
    Matrix<float> got(shape.rows, shape.cols);
    expected.noalias() = a * b;
    sgdsim::multiply<float>(a, b, got);
    CHECK(got == expected);
    expected.noalias() = at.transpose() * b;
    sgdsim::multiply<float>(at, b, got, Transposed::lhs);
    CHECK(got == expected);
    expected.noalias() = a * bt.transpose();
    sgdsim::multiply<float>(a, bt, got, Transposed::rhs);
    CHECK(got == expected);
  }
}

TEST_CASE("an MLP's gradient agrees across instruction sets", "[models][products]") {
  const sgdsim::Mlp<float> mlp(784, {128}, 10, sgdsim::Activation::relu);
  sgdsim::Rng rng(5);
  const Eigen::VectorXf params = mlp.initial_params(true, rng);
  const Matrix<float> features = random_matrix<float>(784, 32, 6);
  Eigen::VectorXf targets(32);
  for (Eigen::Index i = 0; i < 32; ++i) targets[i] = static_cast<float>(i % 10);

  Eigen::VectorXf reference;
  float reference_loss = 0;
  {
    const ActiveSet active(InstructionSet::default_build);
    reference_loss = mlp.loss_and_gradient(params, features, targets, reference);
  }
  for (InstructionSet set : supported_sets()) {
    INFO("set " << sgdsim::instruction_set_name(set));
    const ActiveSet active(set);
    Eigen::VectorXf grad;
    const float loss = mlp.loss_and_gradient(params, features, targets, grad);
    CHECK(loss == Approx(reference_loss).epsilon(1e-5));
    CHECK((grad - reference).norm() <= 1e-5f * reference.norm());
  }
}

TEST_CASE("matrix products refuse mismatched shapes", "[models][products]") {
  const Matrix<double> a(3, 4), b(5, 2);
  Matrix<double> c(3, 2);
  CHECK_THROWS_WITH(sgdsim::multiply<double>(a, b, c), Catch::Contains("3x4 times 5x2 into 3x2"));
  Matrix<double> wrong(2, 2);
  const Matrix<double> b_ok(4, 2);
  CHECK_THROWS_AS(sgdsim::multiply<double>(a, b_ok, wrong), std::invalid_argument);
}

TEST_CASE("instruction sets by name, and only supported ones chosen", "[models][products]") {
  for (InstructionSet set : kSets) {
    CHECK(sgdsim::parse_instruction_set(sgdsim::instruction_set_name(set)) == set);
  }
  CHECK_FALSE(sgdsim::parse_instruction_set("sse9").has_value());
  CHECK(sgdsim::instruction_set_supported(InstructionSet::default_build));
  CHECK(sgdsim::instruction_set_supported(sgdsim::active_instruction_set()));
  for (InstructionSet set : kSets) {
    if (!sgdsim::instruction_set_supported(set)) {
      CHECK_THROWS_WITH(sgdsim::set_active_instruction_set(set), Catch::Contains("not supported"));
    }
  }
}
