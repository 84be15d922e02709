#include "models/blas_backend.hpp"

#ifdef SGDSIM_HAVE_OPENBLAS
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

extern "C" {
void openblas_set_num_threads(int num_threads);
char* openblas_get_config();
char* openblas_get_corename();
}
#endif

namespace sgdsim {

#ifdef SGDSIM_HAVE_OPENBLAS
namespace {

// OpenBLAS's DYNAMIC_ARCH picks kernels by CPU model and falls back to its oldest ones for a
// model it does not know (0.3.21 on 2023 Xeons: Prescott, SSE3), a 2–3× slower product: say so,
// with the variable that tells it, when the CPU has AVX2 or better.
void warn_if_fallback_kernels() {
  static const std::set<std::string> pre_avx = {"Prescott",  "Core2",  "Penryn",  "Dunnington",
                                                "Nehalem",   "Atom",   "Katmai",  "Coppermine",
                                                "Northwood", "Banias", "Opteron", "Barcelona"};
  const std::string core = openblas_get_corename();
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || !pre_avx.count(core)) return;
  const char* fits = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                     : __builtin_cpu_supports("avx2")  ? "Haswell"
                                                       : nullptr;
  if (fits == nullptr) return;
  std::fputs(fmt::format("sgdsim: OpenBLAS runs its {} kernels on a CPU it does not know, 2-3x "
                         "slower products; OPENBLAS_CORETYPE={} selects the kernels this CPU "
                         "has\n",
                         core, fits)
                 .c_str(),
             stderr);
}

}  // namespace

void pin_blas_to_caller_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    openblas_set_num_threads(1);
    warn_if_fallback_kernels();
  });
}

const char* blas_backend_name() {
  static const std::string name =
      std::string(openblas_get_config()) + " (" + openblas_get_corename() + ")";
  return name.c_str();
}
#else
void pin_blas_to_caller_threads() {}
const char* blas_backend_name() {
  return "eigen";
}
#endif

}  // namespace sgdsim
