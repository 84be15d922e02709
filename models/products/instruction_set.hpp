// Which compiled version of the matrix products (models/products/matrix_product.hpp) runs.
//
// A portable build (no -march=native, no SGDSIM_BLAS, GCC or Clang on x86-64) carries the products
// three times: as the library itself is compiled ("default": SSE2 on x86-64), for AVX2 + FMA and
// for AVX-512; the widest one this CPU runs is chosen at start-up from its feature bits, so a
// binary built for any x86-64 machine multiplies at the speed of one built for this one. Other
// builds carry "default" only (which is then -march=native, or Eigen on OpenBLAS).
//
// Versions differ in their last bits (FMA rounds once; the kernels' blocking differs): results are
// the same for the same binary, CPU and SGDSIM_ISA, which pins the version (a cluster of mixed
// nodes, or a comparison across machines).
#pragma once

#include <optional>
#include <string_view>

namespace sgdsim {

enum class InstructionSet { default_build, avx2, avx512 };

// "default", "avx2", "avx512".
std::string_view instruction_set_name(InstructionSet set);
std::optional<InstructionSet> parse_instruction_set(std::string_view name);

// Built into this binary, and run by this CPU and operating system.
bool instruction_set_supported(InstructionSet set);

// The version the products use: SGDSIM_ISA when set, else the widest supported one. The first
// call reads SGDSIM_ISA and throws std::invalid_argument, naming it, when it is unknown or not
// supported here; later calls return the same set. Thread-safe.
InstructionSet active_instruction_set();

// For tests and benchmarks; throws std::invalid_argument when the set is not supported here.
void set_active_instruction_set(InstructionSet set);

}  // namespace sgdsim
