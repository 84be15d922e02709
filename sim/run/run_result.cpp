#include "sim/run/run_result.hpp"

namespace sgdsim {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::ok:
      return "ok";
    case RunStatus::diverged:
      return "diverged";
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::stalled:
      return "stalled";
  }
  return "?";
}

}  // namespace sgdsim
