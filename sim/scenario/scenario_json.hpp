// The resolved scenario as JSON, in the same keys and units a scenario file uses, so that what
// `sgdsim validate` prints and summary.json records can be fed back as a scenario.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

nlohmann::ordered_json scenario_to_json(const Scenario& scenario);

// The `sweep` section as a scenario file writes it (grid, linked, replicates); null without one.
// Not part of scenario_to_json: a run's resolved scenario (summary.json) is one point.
nlohmann::ordered_json sweep_to_json(const SweepSpec& sweep);

}  // namespace sgdsim
