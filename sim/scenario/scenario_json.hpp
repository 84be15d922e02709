// The resolved scenario as JSON, in the same keys and units a scenario file uses, so that what
// `sgdsim validate` prints and summary.json records can be fed back as a scenario.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

nlohmann::ordered_json scenario_to_json(const Scenario& scenario);

}  // namespace sgdsim
