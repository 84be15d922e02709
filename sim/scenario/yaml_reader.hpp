// Typed reading of a YAML mapping with every problem collected as "file:line:col: key.path: ...".
// Private to sim/scenario/: the only place besides load.cpp that sees yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/engine/sim_time.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim::yaml {

class Diagnostics {
 public:
  explicit Diagnostics(std::string source) : source_(std::move(source)) {}
  void error(const YAML::Mark& mark, const std::string& path, const std::string& message);
  // Keys set with --set have no line in the file; their messages say so.
  void mark_overridden(const std::string& path) { overridden_.insert(path); }
  // Keys merged in from an included file: their lines are that file's lines.
  void mark_included(const std::string& path, const std::string& file) { included_[path] = file; }
  const std::vector<ConfigProblem>& problems() const { return problems_; }
  const std::string& source() const { return source_; }
  // The file a key's value was written in: an included cluster file, or the scenario.
  const std::string& file_of(const std::string& path) const;
  // Remembers where a key that was read is written, so that a problem found only once the data
  // is loaded can still point at it.
  void note_location(const YAML::Mark& mark, const std::string& path);
  const std::map<std::string, SourcePlace>& locations() const { return locations_; }

 private:
  std::string source_;
  std::set<std::string> overridden_;
  // `mark` in the file that holds `path`, or the command line.
  SourcePlace where(const YAML::Mark& mark, const std::string& path) const;

  std::map<std::string, std::string> included_;
  std::vector<ConfigProblem> problems_;
  std::map<std::string, SourcePlace> locations_;
};

// A key written twice in one mapping, which yaml-cpp accepts silently (lookups see the first).
struct DuplicateKey {
  YAML::Mark mark;     // the second occurrence
  std::string path;    // its key path
  int first_line = 0;  // 1-based line of the first occurrence
};
std::vector<DuplicateKey> duplicate_keys(const YAML::Node& node, const std::string& path = "");

// A mapping being read. Every key read is remembered; finish() reports the ones never read.
class Section {
 public:
  Section(YAML::Node node, std::string path, Diagnostics& diagnostics);

  // Whether `key` is present (and not null); also marks it as a key this section knows.
  bool has(const char* key);
  YAML::Node node() const { return node_; }
  const std::string& path() const { return path_; }
  std::string child_path(const char* key) const;
  void error(const char* key, const std::string& message);
  // Whether `key`'s value came from an included cluster file rather than the scenario itself.
  bool included(const char* key) const {
    return diagnostics_->file_of(child_path(key)) != diagnostics_->source();
  }

  std::optional<std::string> text(const char* key, bool required = false);
  std::optional<std::int64_t> integer(const char* key, std::int64_t min, std::int64_t max,
                                      bool required = false);
  std::optional<double> real(const char* key, double min, double max, bool required = false,
                             bool min_exclusive = false);
  std::optional<bool> boolean(const char* key);
  std::optional<SimTime> duration(const char* key, bool required = false);
  std::optional<double> rate(const char* key);
  std::optional<double> size(const char* key);
  // One of `choices`; the error lists them.
  std::optional<std::string> choice(const char* key, const std::vector<std::string>& choices,
                                    bool required = false);
  std::optional<std::vector<double>> reals(const char* key, double min, double max);
  std::optional<std::vector<std::int64_t>> integers(const char* key, std::int64_t min,
                                                    std::int64_t max);
  // A nested mapping; nullopt (and an error if required) when absent or not a mapping.
  std::optional<Section> section(const char* key, bool required = false);
  // A list of mappings, each read as the Section `key[i]`; nullopt (and an error naming
  // `expected`) when absent or not a list, and entries that are not mappings are reported.
  std::optional<std::vector<Section>> sections(const char* key, const char* expected);

  // Reports keys that were never read, suggesting the closest known one.
  void finish();

 private:
  YAML::Node lookup(const char* key, bool required);

  YAML::Node node_;
  std::string path_;
  Diagnostics* diagnostics_;
  std::set<std::string> known_;
};

}  // namespace sgdsim::yaml
