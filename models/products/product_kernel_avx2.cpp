// The products compiled for AVX2 and FMA (CMake gives this file its flags;
// product_kernel_impl.hpp).
#define Eigen sgdsim_eigen_avx2
#define SGDSIM_PRODUCTS_NAMESPACE products_avx2
#include "models/products/product_kernel_impl.hpp"
