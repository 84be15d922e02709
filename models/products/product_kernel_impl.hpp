// The body of one instruction set's product kernel. Included once per instruction set by a
// translation unit compiled with that set's flags, after
//   #define Eigen sgdsim_eigen_<set>               (Eigen's templates under their own names)
//   #define SGDSIM_PRODUCTS_NAMESPACE products_<set>
// Without the renaming, the linker would keep one copy of each inline Eigen function for the
// whole program, whichever unit's came first: AVX-512 code in the baseline path, or the reverse.
// Nothing here may instantiate a template that other translation units also instantiate
// (tests/models/product_kernel_symbols_test.sh checks the objects).
#ifndef SGDSIM_PRODUCTS_NAMESPACE
#error "define SGDSIM_PRODUCTS_NAMESPACE (and rename Eigen) before including this file"
#endif

// Always Eigen's blocked GEMM (or GEMV), never its coefficient-wise product for small sizes: that
// one computes the coefficients before the destination's first 32- or 64-byte boundary without
// FMA and the others with it, and where that boundary falls differs between allocations (the heap
// aligns to 16 bytes), so its bits would differ between runs and threads.
#define EIGEN_GEMM_TO_COEFFBASED_THRESHOLD 0
#include <Eigen/Core>

#include "models/products/product_kernel.hpp"

namespace sgdsim::SGDSIM_PRODUCTS_NAMESPACE {
namespace {

template <class Scalar>
void multiply_any(const ProductArgs<Scalar>& p) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  const ConstMap a(p.a, p.a_rows, p.a_cols, Eigen::OuterStride<>(p.a_stride));
  const ConstMap b(p.b, p.b_rows, p.b_cols, Eigen::OuterStride<>(p.b_stride));
  const Eigen::Index rows = p.transpose_a ? p.a_cols : p.a_rows;
  const Eigen::Index cols = p.transpose_b ? p.b_rows : p.b_cols;
  Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>> c(p.c, rows, cols,
                                                               Eigen::OuterStride<>(p.c_stride));
  if (p.transpose_a) {
    c.noalias() = a.transpose() * b;
  } else if (p.transpose_b) {
    c.noalias() = a * b.transpose();
  } else {
    c.noalias() = a * b;
  }
}

}  // namespace

void multiply(const ProductArgs<float>& args) {
  multiply_any(args);
}
void multiply(const ProductArgs<double>& args) {
  multiply_any(args);
}

}  // namespace sgdsim::SGDSIM_PRODUCTS_NAMESPACE
