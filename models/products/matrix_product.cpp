#include "models/products/matrix_product.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "models/products/instruction_set.hpp"
#include "models/products/product_kernel.hpp"

namespace sgdsim {

template <class Scalar>
void multiply(ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> b, MatrixRef<Scalar> c,
              Transposed transposed) {
  const bool transpose_a = transposed == Transposed::lhs;
  const bool transpose_b = transposed == Transposed::rhs;
  const Eigen::Index rows = transpose_a ? a.cols() : a.rows();
  const Eigen::Index inner = transpose_a ? a.rows() : a.cols();
  const Eigen::Index inner_b = transpose_b ? b.cols() : b.rows();
  const Eigen::Index cols = transpose_b ? b.rows() : b.cols();
  if (inner != inner_b || c.rows() != rows || c.cols() != cols) {
    throw std::invalid_argument(fmt::format("matrix product: {}x{} times {}x{} into {}x{}", rows,
                                            inner, inner_b, cols, c.rows(), c.cols()));
  }
#if SGDSIM_PRODUCT_DISPATCH
  const InstructionSet set = active_instruction_set();
  if (set != InstructionSet::default_build) {
    const ProductArgs<Scalar> args{a.data(),        a.rows(),    a.cols(), a.outerStride(),
                                   transpose_a,     b.data(),    b.rows(), b.cols(),
                                   b.outerStride(), transpose_b, c.data(), c.outerStride()};
    if (set == InstructionSet::avx512) {
      products_avx512::multiply(args);
    } else {
      products_avx2::multiply(args);
    }
    return;
  }
#endif
  if (transpose_a) {
    c.noalias() = a.transpose() * b;
  } else if (transpose_b) {
    c.noalias() = a * b.transpose();
  } else {
    c.noalias() = a * b;
  }
}

template void multiply<float>(ConstMatrixRef<float>, ConstMatrixRef<float>, MatrixRef<float>,
                              Transposed);
template void multiply<double>(ConstMatrixRef<double>, ConstMatrixRef<double>, MatrixRef<double>,
                               Transposed);

}  // namespace sgdsim
