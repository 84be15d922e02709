// YAML that yaml-cpp reads without complaint but sgdsim would misread, checked before a scenario
// is read: a second document, merge keys (expanded here), tags, and nesting far beyond any
// scenario's. Private to sim/scenario/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "sim/scenario/yaml_reader.hpp"

namespace sgdsim::yaml {

// The 1-based line where a second YAML document starts, if one does.
std::optional<int> second_document_line(const std::string& text);

// Expands merge keys (`<<: *base`) and drops top-level `x-…` anchor holders in place; reports
// tags and too-deep nesting to `diagnostics`.
void check_yaml_features(YAML::Node node, const std::string& path, int depth,
                         Diagnostics& diagnostics);

}  // namespace sgdsim::yaml
