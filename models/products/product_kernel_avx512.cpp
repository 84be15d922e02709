// The products compiled for AVX-512 (CMake gives this file its flags; product_kernel_impl.hpp).
#define Eigen sgdsim_eigen_avx512
#define SGDSIM_PRODUCTS_NAMESPACE products_avx512
#include "models/products/product_kernel_impl.hpp"
