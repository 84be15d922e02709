// The matrix product as the per-instruction-set translation units export it: raw column-major
// operands, so that no Eigen type crosses between code compiled for different instruction sets
// (each of those units compiles its own, renamed copy of Eigen: product_kernel_impl.hpp).
#pragma once

#include <cstdint>

namespace sgdsim {

// C = op(A)·op(B), op = transposition where asked (of one operand at most, as
// models/products/matrix_product.hpp asks); each operand column-major with its outer
// stride (distance between columns). C is written, never read, and must not overlap A or B.
template <class Scalar>
struct ProductArgs {
  const Scalar* a;
  std::int64_t a_rows, a_cols, a_stride;
  bool transpose_a;
  const Scalar* b;
  std::int64_t b_rows, b_cols, b_stride;
  bool transpose_b;
  Scalar* c;
  std::int64_t c_stride;
};

namespace products_avx2 {
void multiply(const ProductArgs<float>& args);
void multiply(const ProductArgs<double>& args);
}  // namespace products_avx2

namespace products_avx512 {
void multiply(const ProductArgs<float>& args);
void multiply(const ProductArgs<double>& args);
}  // namespace products_avx512

}  // namespace sgdsim
