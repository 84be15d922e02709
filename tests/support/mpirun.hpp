// Starting sgdsim under mpirun from a test, and reading what it wrote (tests/real/).
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace sgdsim::testing {

// A small problem that runs in a fraction of a second.
inline constexpr const char* kRealScenario = R"(name: real_check
seed: 7
workers: 4
steps: 48
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 16}
model: {kind: softmax}
data: {kind: synthetic, samples: 1200, test_samples: 200, features: 12, classes: 4}
compute: {kind: constant, mean: 1ms}
eval: {every: 16}
)";

struct Result {
  int exit_code;
  std::string err;
};

inline std::string quoted(const std::filesystem::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

// `mpirun -np ranks sgdsim arguments`, stderr captured (mpirun's own messages included).
inline Result mpirun(const TempDir& dir, int ranks, const std::string& arguments) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const std::filesystem::path err = dir / "stderr.txt";
  const std::string command = std::string(SGDSIM_MPIRUN) + " -np " + std::to_string(ranks) +
                              " --oversubscribe '" + SGDSIM_BINARY + "' " + arguments +
                              " >/dev/null 2>" + quoted(err);
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(err)};
}

inline Result simulate(const TempDir& dir, const std::string& arguments) {
  const std::filesystem::path err = dir / "stderr.txt";
  const std::string command =
      std::string("'") + SGDSIM_BINARY + "' " + arguments + " >/dev/null 2>" + quoted(err);
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(err)};
}

// metrics.csv without its time column (the one a real run measures).
inline std::vector<std::string> metrics_without_time(const std::filesystem::path& file) {
  std::vector<std::string> rows;
  for (const std::string& line : lines_of(read_file(file))) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    rows.push_back(line.substr(0, first) + line.substr(second));
  }
  return rows;
}

inline nlohmann::json summary_of(const std::filesystem::path& dir) {
  return nlohmann::json::parse(read_file(dir / "summary.json"));
}

inline std::string sets(const std::vector<std::string>& overrides) {
  std::string text;
  for (const std::string& o : overrides) text += " --set '" + o + "'";
  return text;
}

}  // namespace sgdsim::testing
