// C = op(A)·op(B) for the models' dense products, run by the version of the product kernels that
// fits this CPU (models/products/instruction_set.hpp). "default" is Eigen's own product,
// evaluated exactly as `c.noalias() = a * b` would be here, bit for bit.
#pragma once

#include <Eigen/Core>

namespace sgdsim {

// Which operand enters the product transposed.
enum class Transposed { none, lhs, rhs };

template <class Scalar>
using ConstMatrixRef = Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>, 0,
                                  Eigen::OuterStride<>>;
template <class Scalar>
using MatrixRef =
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>, 0, Eigen::OuterStride<>>;

// c ← op(a)·op(b); c must already have the product's shape and must not overlap a or b.
// Throws std::invalid_argument on mismatched shapes.
template <class Scalar>
void multiply(ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> b, MatrixRef<Scalar> c,
              Transposed transposed = Transposed::none);

extern template void multiply<float>(ConstMatrixRef<float>, ConstMatrixRef<float>, MatrixRef<float>,
                                     Transposed);
extern template void multiply<double>(ConstMatrixRef<double>, ConstMatrixRef<double>,
                                      MatrixRef<double>, Transposed);

}  // namespace sgdsim
