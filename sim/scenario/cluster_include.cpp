// `cluster: FILE`: the machine a scenario runs on, from a file many scenarios share.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "sim/scenario/cluster_include.hpp"
#include "sim/scenario/input_files.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

using yaml::Diagnostics;
using yaml::duplicate_keys;

// Cluster files describe the machine a scenario runs on, so that many scenarios can share one.
constexpr const char* kClusterKeys[] = {"description", "workers", "compute", "network",
                                        "availability"};

// The mapping's `kind`, or "" (read without operator[], which would add a key to it).
std::string kind_of(const YAML::Node& mapping) {
  for (const auto& entry : mapping) {
    if (entry.first.IsScalar() && entry.first.Scalar() == "kind" && entry.second.IsScalar()) {
      return entry.second.Scalar();
    }
  }
  return "";
}

// A mapping of another `kind` replaces the cluster's whole: its keys belong to that kind.
bool other_kind(const YAML::Node& mine, const YAML::Node& theirs) {
  const std::string a = kind_of(mine), b = kind_of(theirs);
  return !a.empty() && !b.empty() && a != b;
}

// Copies what `defaults` has and `target` lacks into `target`, recursing into mappings (except
// into one of another kind), and remembers where each copied key came from.
void merge_defaults(YAML::Node target, const YAML::Node& defaults, const std::string& path,
                    const std::string& file, Diagnostics& diagnostics) {
  for (const auto& entry : defaults) {
    const std::string key = entry.first.Scalar();
    const std::string child_path = path.empty() ? key : path + "." + key;
    YAML::Node existing = target[key];
    if (!existing.IsDefined() || existing.IsNull()) {
      target[key] = entry.second;
      diagnostics.mark_included(child_path, file);
    } else if (existing.IsMap() && entry.second.IsMap() && !other_kind(existing, entry.second)) {
      merge_defaults(existing, entry.second, child_path, file, diagnostics);
    }
  }
}

}  // namespace

// `cluster: FILE` (relative to the scenario) supplies workers, compute and network; whatever the
// scenario itself (or --set) says wins, key by key.
void include_cluster(YAML::Node& root, const std::string& source, Diagnostics& diagnostics) {
  if (!root.IsMap()) return;
  const YAML::Node& const_root = root;
  const YAML::Node reference = const_root["cluster"];
  if (!reference.IsDefined() || reference.IsNull()) return;
  if (!reference.IsScalar()) {
    diagnostics.error(reference.Mark(), "cluster", "expected the path of a cluster file");
    return;
  }
  const std::string file = resolve_path(reference.Scalar(), source);
  std::error_code link_error;  // a link loop: reported by input_file_problem below
  if (std::filesystem::is_directory(file, link_error)) {  // yaml-cpp would throw ios_base::failure
    diagnostics.error(reference.Mark(), "cluster",
                      fmt::format("'{}' is a directory; expected a cluster file", file));
    return;
  }
  if (auto problem = input_file_problem(file)) {
    diagnostics.error(reference.Mark(), "cluster", *problem);
    return;
  }
  if (std::filesystem::file_size(file) > kMaxScenarioFileBytes) {
    diagnostics.error(reference.Mark(), "cluster",
                      fmt::format("'{}' is larger than {} MiB: not a cluster file", file,
                                  kMaxScenarioFileBytes >> 20));
    return;
  }
  YAML::Node cluster;
  try {
    cluster = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    diagnostics.error(reference.Mark(), "cluster", fmt::format("cannot open '{}'", file));
    return;
  } catch (const YAML::Exception& e) {
    diagnostics.error(reference.Mark(), "cluster",
                      fmt::format("{}:{}:{}: YAML syntax error: {}", file, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
    return;
  }
  if (!cluster.IsMap()) {
    diagnostics.error(reference.Mark(), "cluster",
                      fmt::format("'{}' is not a mapping of cluster keys", file));
    return;
  }
  for (const auto& duplicate : duplicate_keys(cluster)) {
    diagnostics.error(reference.Mark(), "cluster",
                      fmt::format("{}:{}:{}: {}: written twice (first on line {}); keep one", file,
                                  duplicate.mark.line + 1, duplicate.mark.column + 1,
                                  duplicate.path, duplicate.first_line));
  }
  YAML::Node defaults(YAML::NodeType::Map);
  for (const auto& entry : cluster) {
    const std::string key = entry.first.Scalar();
    if (std::find(std::begin(kClusterKeys), std::end(kClusterKeys), key) ==
        std::end(kClusterKeys)) {
      diagnostics.mark_included(key, file);
      diagnostics.error(entry.first.Mark(), key,
                        "a cluster file may only set description, workers, compute, network and "
                        "availability");
    } else if (key != "description") {
      defaults[key] = entry.second;
    }
  }
  merge_defaults(root, defaults, "", file, diagnostics);
}

}  // namespace sgdsim
