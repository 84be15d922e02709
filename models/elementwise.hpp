// Element-wise passes over model-sized vectors (the SGD update, averaging, the finiteness check),
// which in a portable build would otherwise run at the baseline instruction set's width (SSE2):
// each is compiled for AVX-512, AVX2 and the baseline and chosen at load time for the CPU found
// (GCC function multi-versioning, SGDSIM_MULTIVERSION). Every element is computed by the same
// operations in every version, with no reassociation and no contraction into FMA (this file is
// compiled with -ffp-contract=off), so a binary's results do not depend on the version chosen,
// and equal Eigen's x − s·y, x + y and x / s where Eigen's are not contracted either.
#pragma once

#include <cstdint>

namespace sgdsim::elementwise {

// x ← x − s·y
void subtract_scaled(float* x, const float* y, float s, std::int64_t n);
void subtract_scaled(double* x, const double* y, double s, std::int64_t n);
// x ← x + y
void add(float* x, const float* y, std::int64_t n);
void add(double* x, const double* y, std::int64_t n);
// x ← x / s
void divide(float* x, float s, std::int64_t n);
void divide(double* x, double s, std::int64_t n);
// Σ x in 16 interleaved partial sums combined in a fixed order (the same in every version).
double sum(const float* x, std::int64_t n);
double sum(const double* x, std::int64_t n);

}  // namespace sgdsim::elementwise
