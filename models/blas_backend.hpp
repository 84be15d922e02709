// Eigen's products on OpenBLAS (CMake option SGDSIM_BLAS): OpenBLAS picks its kernels for the CPU
// at run time, which a build without -march=native cannot get from Eigen's own. Every call runs on
// its caller's thread, so results do not depend on how many threads call, only on the binary and
// CPU.
#pragma once

namespace sgdsim {

// Idempotent and thread-safe; a no-op in builds without SGDSIM_BLAS.
void pin_blas_to_caller_threads();

// "openblas <version> (<kernel>)" or "eigen" for the summary and benchmarks.
const char* blas_backend_name();

}  // namespace sgdsim
