// `cluster: FILE` (relative to the scenario) supplies description, workers, compute, network and
// availability; whatever the scenario itself (or --set) says wins, key by key, and a mapping of
// another `kind` replaces the cluster's whole. Private to sim/scenario/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sim/scenario/yaml_reader.hpp"

namespace sgdsim {

// Merges the file `root["cluster"]` names into `root`; problems go to `diagnostics`.
void include_cluster(YAML::Node& root, const std::string& source, yaml::Diagnostics& diagnostics);

}  // namespace sgdsim
