#include "models/blas_backend.hpp"

#ifdef SGDSIM_HAVE_OPENBLAS
#include <mutex>
#include <string>

extern "C" {
void openblas_set_num_threads(int num_threads);
char* openblas_get_config();
char* openblas_get_corename();
}
#endif

namespace sgdsim {

#ifdef SGDSIM_HAVE_OPENBLAS
void pin_blas_to_caller_threads() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
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
