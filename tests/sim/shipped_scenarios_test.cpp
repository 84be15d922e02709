// Every scenario the repository ships must load: a key renamed in the loader would otherwise
// break them silently.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/sweep_plan.hpp"

TEST_CASE("every scenario under scenarios/ loads and validates", "[sim][scenario]") {
  const std::filesystem::path root = std::filesystem::path(SGDSIM_SOURCE_DIR) / "scenarios";
  int loaded = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".yaml") continue;
    if (entry.path().parent_path().filename() == "clusters") continue;  // included, not run
    INFO(entry.path().string());
    try {
      sgdsim::load_scenario_file(entry.path().string());
    } catch (const sgdsim::ConfigError& e) {
      FAIL(e.messages().front());
    }
    ++loaded;
  }
  CHECK(loaded >= 5);
}

TEST_CASE("every cluster file works from a scenario that includes it", "[sim][scenario]") {
  const std::filesystem::path root = std::filesystem::path(SGDSIM_SOURCE_DIR) / "scenarios";
  // ethernet32.yaml takes workers, compute and network from its cluster file.
  const std::string scenario_path = (root / "ethernet32.yaml").string();
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "clusters")) {
    INFO(entry.path().string());
    const auto scenario = sgdsim::load_scenario_file(
        scenario_path, {"cluster=clusters/" + entry.path().filename().string()});
    CHECK(scenario.workers > 1);
    ++loaded;
  }
  CHECK(loaded >= 4);
}

TEST_CASE("every shipped sweep plans: each of its points loads and validates", "[sim][scenario]") {
  const std::filesystem::path root = std::filesystem::path(SGDSIM_SOURCE_DIR) / "scenarios";
  int planned = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".yaml") continue;
    if (entry.path().parent_path().filename() == "clusters") continue;
    const auto scenario = sgdsim::load_scenario_file(entry.path().string());
    if (!scenario.sweep.enabled()) continue;
    INFO(entry.path().string());
    try {
      const sgdsim::SweepPlan plan = sgdsim::plan_sweep(entry.path().string(), {});
      CHECK(plan.runs.size() >= 2);
    } catch (const sgdsim::ConfigError& e) {
      FAIL(e.messages().front());
    }
    ++planned;
  }
  CHECK(planned >= 10);  // scenarios/paper/ alone has ten
}
