#include "sim/scenario/yaml_features.hpp"

#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace sgdsim::yaml {

// The 1-based line where a second YAML document starts: a `---` marker (or content after a `...`)
// at column 0 once the first document has content. Markers are always at column 0 (a block
// scalar's lines are indented), so the text alone tells.
std::optional<int> second_document_line(const std::string& text) {
  bool content = false, ended = false;
  int number = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool marker =
        line.rfind("---", 0) == 0 && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
    if (marker && content) return number;
    if (marker) continue;
    if (line.rfind("...", 0) == 0 && (line.size() == 3 || line[3] == ' ')) {
      ended = content;
      continue;
    }
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (ended) return number;
    content = true;
  }
  return std::nullopt;
}

// YAML that yaml-cpp reads without complaint but sgdsim would misread: merge keys (`<<: *base`,
// expanded here as YAML 1.1 defines them: the merged mapping's keys, unless written beside it),
// tags (`!!int 0.1` would silently read as 0.1), and nesting far beyond any scenario's.
void check_yaml_features(YAML::Node node, const std::string& path, int depth,
                         Diagnostics& diagnostics) {
  constexpr int kMaxDepth = 32;
  if (depth > kMaxDepth) {
    diagnostics.error(
        node.Mark(), path.empty() ? "(top level)" : path,
        fmt::format("nested more than {} levels deep; a scenario nests a few", kMaxDepth));
    return;
  }
  std::string tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") {
    if (tag.rfind("tag:yaml.org,2002:", 0) == 0) tag = "!!" + tag.substr(18);
    diagnostics.error(node.Mark(), path.empty() ? "(top level)" : path,
                      fmt::format("YAML tags such as '{}' are not used by sgdsim (they would be "
                                  "ignored); remove it",
                                  tag));
  }
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      check_yaml_features(node[i], fmt::format("{}[{}]", path, i), depth + 1, diagnostics);
    }
    return;
  }
  if (!node.IsMap()) return;
  if (const YAML::Node merged = node["<<"]; merged.IsDefined()) {
    std::vector<YAML::Node> sources;
    if (merged.IsMap()) sources.push_back(merged);
    if (merged.IsSequence()) {
      for (const auto& item : merged) sources.push_back(item);
    }
    node.remove("<<");
    for (const YAML::Node& source : sources) {
      if (!source.IsMap()) {
        diagnostics.error(merged.Mark(), path.empty() ? "<<" : path + ".<<",
                          "a merge key takes a mapping (or a list of mappings), such as *base");
        continue;
      }
      for (const auto& entry : source) {
        if (!node[entry.first.Scalar()].IsDefined()) node[entry.first.Scalar()] = entry.second;
      }
    }
  }
  if (depth == 0) {  // `x-…` keys hold anchors for merge keys (as in Compose files): not read
    std::vector<std::string> holders;
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && entry.first.Scalar().rfind("x-", 0) == 0) {
        holders.push_back(entry.first.Scalar());
      }
    }
    for (const std::string& key : holders) node.remove(key);
  }
  for (auto entry : node) {
    if (!entry.first.IsScalar()) continue;  // the section's reader refuses it (Section::finish)
    const std::string key = entry.first.Scalar();
    check_yaml_features(entry.second, path.empty() ? key : path + "." + key, depth + 1,
                        diagnostics);
  }
}

}  // namespace sgdsim::yaml
