#include "models/data/dataset.hpp"

namespace sgdsim {

const char* to_string(Task task) {
  switch (task) {
    case Task::regression:
      return "regression";
    case Task::binary:
      return "binary";
    case Task::multiclass:
      return "multiclass";
  }
  return "unknown";
}

}  // namespace sgdsim
