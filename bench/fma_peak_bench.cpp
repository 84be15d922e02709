// The physical limit the step's products are held against: this core's peak float32 FMA rate,
// measured with independent FMA chains (enough to cover the latency of two FMA ports) at each
// instruction-set width the CPU has, and the achieved rate of the MLP's and softmax's products in
// Eigen as the model computes them. Items per second are floating-point operations (an FMA is 2);
// scripts/bench-peers divides them.
#include <benchmark/benchmark.h>

#include <immintrin.h>

#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "models/blas_backend.hpp"
#include "models/products/instruction_set.hpp"
#include "models/products/matrix_product.hpp"

namespace {

// Independent chains ≥ latency (4–5 cycles) × ports (2), so the ports never wait for a result, and
// few enough that the chains and the two operands stay in registers: 32 zmm, but only 16 ymm
// (16 AVX2 chains spilled to memory and measured half the peak).
constexpr int kChainsAvx512 = 16;
constexpr int kChainsAvx2 = 12;
constexpr std::int64_t kIterations = 1 << 16;

__attribute__((target("avx512f"))) float fma_chains_avx512(float scale) {
  __m512 acc[kChainsAvx512];
  for (int c = 0; c < kChainsAvx512; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
  const __m512 a = _mm512_set1_ps(scale), b = _mm512_set1_ps(1e-7f);
  for (std::int64_t i = 0; i < kIterations; ++i) {
    for (int c = 0; c < kChainsAvx512; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChainsAvx512; ++c) sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.0f;
  for (float lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_chains_avx2(float scale) {
  __m256 acc[kChainsAvx2];
  for (int c = 0; c < kChainsAvx2; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
  const __m256 a = _mm256_set1_ps(scale), b = _mm256_set1_ps(1e-7f);
  for (std::int64_t i = 0; i < kIterations; ++i) {
    for (int c = 0; c < kChainsAvx2; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChainsAvx2; ++c) sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0.0f;
  for (float lane : lanes) total += lane;
  return total;
}

void BM_PeakFmaF32(benchmark::State& state, int lanes) {
  const bool supported = lanes == 16
                             ? __builtin_cpu_supports("avx512f")
                             : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!supported) {
    state.SkipWithError("the CPU lacks this instruction set");
    return;
  }
  float scale = 0.999999f;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scale);  // opaque each time: the chains cannot be hoisted or folded
    benchmark::DoNotOptimize(lanes == 16 ? fma_chains_avx512(scale) : fma_chains_avx2(scale));
  }
  const int chains = lanes == 16 ? kChainsAvx512 : kChainsAvx2;
  state.SetItemsProcessed(state.iterations() * kIterations * chains * lanes * 2);
}

// out×in weights times an in×batch block, and the gradient's out×batch times its transpose: the
// two products of a dense layer's step that carry its FLOPs (models/mlp.cpp).
void BM_DenseProductsF32(benchmark::State& state) {
  const Eigen::Index out = state.range(0), in = state.range(1), batch = state.range(2);
  const Eigen::MatrixXf weights = Eigen::MatrixXf::Random(out, in);
  const Eigen::MatrixXf inputs = Eigen::MatrixXf::Random(in, batch);
  Eigen::MatrixXf outputs(out, batch), grad(out, in);
  sgdsim::pin_blas_to_caller_threads();
  std::string label = sgdsim::blas_backend_name();
  label += ", products ";
  label += sgdsim::instruction_set_name(sgdsim::active_instruction_set());
  state.SetLabel(label);
  for (auto _ : state) {
    sgdsim::multiply<float>(weights, inputs, outputs);
    sgdsim::multiply<float>(outputs, inputs, grad, sgdsim::Transposed::rhs);
    benchmark::DoNotOptimize(grad.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 4 * out * in * batch);
}

BENCHMARK_CAPTURE(BM_PeakFmaF32, avx512, 16);
BENCHMARK_CAPTURE(BM_PeakFmaF32, avx2, 8);
BENCHMARK(BM_DenseProductsF32)->Args({128, 784, 32})->Args({10, 784, 32})->Args({10, 128, 32});

}  // namespace
