// The message a data loader's DataError carries, for tests of what the loaders report.
#pragma once

#include <string>

#include "models/data/dataset.hpp"

namespace sgdsim::testing {

// What `load()` throws as a DataError, or a text no expected message contains if it throws none.
template <class F>
std::string data_error_message(F&& load) {
  try {
    load();
  } catch (const DataError& error) {
    return error.what();
  }
  return "(no DataError thrown)";
}

}  // namespace sgdsim::testing
