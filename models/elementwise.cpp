#include "models/elementwise.hpp"

// Inlined into each version, so that each loop is vectorised for that version's instruction set.
#if defined(SGDSIM_MULTIVERSION)
#define SGDSIM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SGDSIM_CLONES
#endif

namespace sgdsim::elementwise {
namespace {

template <class Scalar>
[[gnu::always_inline]] inline void subtract_scaled_loop(Scalar* __restrict x,
                                                        const Scalar* __restrict y, Scalar s,
                                                        std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = x[i] - s * y[i];
}

template <class Scalar>
[[gnu::always_inline]] inline void add_loop(Scalar* __restrict x, const Scalar* __restrict y,
                                            std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = x[i] + y[i];
}

template <class Scalar>
[[gnu::always_inline]] inline void divide_loop(Scalar* x, Scalar s, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = x[i] / s;
}

template <class Scalar>
[[gnu::always_inline]] inline Scalar sum_loop(const Scalar* x, std::int64_t n) {
  constexpr int kLanes = 16;
  Scalar lanes[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] += x[i + k];
  }
  for (int k = 0; i < n; ++i, ++k) lanes[k] += x[i];
  Scalar total = 0;
  for (Scalar lane : lanes) total += lane;
  return total;
}

}  // namespace

SGDSIM_CLONES void subtract_scaled(float* x, const float* y, float s, std::int64_t n) {
  subtract_scaled_loop(x, y, s, n);
}
SGDSIM_CLONES void subtract_scaled(double* x, const double* y, double s, std::int64_t n) {
  subtract_scaled_loop(x, y, s, n);
}
SGDSIM_CLONES void add(float* x, const float* y, std::int64_t n) {
  add_loop(x, y, n);
}
SGDSIM_CLONES void add(double* x, const double* y, std::int64_t n) {
  add_loop(x, y, n);
}
SGDSIM_CLONES void divide(float* x, float s, std::int64_t n) {
  divide_loop(x, s, n);
}
SGDSIM_CLONES void divide(double* x, double s, std::int64_t n) {
  divide_loop(x, s, n);
}
SGDSIM_CLONES double sum(const float* x, std::int64_t n) {
  return sum_loop(x, n);
}
SGDSIM_CLONES double sum(const double* x, std::int64_t n) {
  return sum_loop(x, n);
}

}  // namespace sgdsim::elementwise
