// The label-based partitions: dirichlet label skew and FedAvg's pathological label shards.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "models/data/partition.hpp"

namespace sgdsim {
namespace {

// `per_class` samples of each of `classes` classes, interleaved (sample i has label i mod C).
std::vector<int> balanced_labels(int classes, std::int64_t per_class) {
  std::vector<int> labels(static_cast<std::size_t>(classes * per_class));
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % classes);
  return labels;
}

Partition split(const PartitionSpec& spec, const std::vector<int>& labels, int classes, int workers,
                std::uint64_t seed) {
  return partition(spec, static_cast<std::int64_t>(labels.size()), labels, classes, workers, seed);
}

void check_exact_cover(const Partition& shards, std::int64_t n) {
  std::vector<int> hits(static_cast<std::size_t>(n), 0);
  for (const Shard& shard : shards) {
    CHECK_FALSE(shard.empty());
    for (std::int64_t index : shard) {
      REQUIRE(index >= 0);
      REQUIRE(index < n);
      ++hits[index];
    }
  }
  CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
}

}  // namespace

TEST_CASE("dirichlet and shards assign every sample to exactly one worker", "[models][partition]") {
  const std::vector<int> labels = balanced_labels(10, 100);
  SECTION("dirichlet") {
    const double alpha = GENERATE(0.3, 1.0, 100.0);
    INFO("alpha = " << alpha);
    check_exact_cover(split({PartitionKind::dirichlet, alpha, 2}, labels, 10, 5, 3), 1000);
  }
  SECTION("shards") {
    const int k = GENERATE(1, 2, 3);
    const int workers = GENERATE(3, 7, 10);
    INFO("k = " << k << ", N = " << workers);
    check_exact_cover(split({PartitionKind::shards, 0.5, k}, labels, 10, workers, 3), 1000);
  }
}

TEST_CASE("dirichlet and shards are seeded: same seed same shards, new seed new shards",
          "[models][partition]") {
  const std::vector<int> labels = balanced_labels(10, 100);
  for (const PartitionSpec spec : {PartitionSpec{PartitionKind::dirichlet, 0.5, 2},
                                   PartitionSpec{PartitionKind::shards, 0.5, 2}}) {
    INFO(to_string(spec.kind));
    const auto a = split(spec, labels, 10, 5, 11);
    CHECK(a == split(spec, labels, 10, 5, 11));
    CHECK(a != split(spec, labels, 10, 5, 12));
  }
}

TEST_CASE("shards: with balanced classes filling whole shards, each worker sees at most k labels",
          "[models][partition]") {
  const std::vector<int> labels = balanced_labels(10, 100);
  // Shards of 1000/(N·k) samples that divide the 100 of each class.
  int k, workers;
  std::tie(k, workers) =
      GENERATE(table<int, int>({{1, 10}, {2, 5}, {2, 10}, {2, 25}, {4, 5}, {5, 10}}));
  INFO("k = " << k << ", N = " << workers);
  const auto shards = split({PartitionKind::shards, 0.5, k}, labels, 10, workers, 21);
  const LabelHistograms histograms(shards, labels, 10);
  for (std::size_t w = 0; w < shards.size(); ++w) {
    CHECK(static_cast<std::int64_t>(shards[w].size()) == 1000 / workers);
    const auto distinct = std::count_if(histograms[w].begin(), histograms[w].end(),
                                        [](std::int64_t c) { return c > 0; });
    CHECK(distinct >= 1);
    CHECK(distinct <= k);
  }
}

TEST_CASE("dirichlet with a large alpha approaches iid label shares", "[models][partition]") {
  const std::vector<int> labels = balanced_labels(10, 2000);
  const auto shards = split({PartitionKind::dirichlet, 1e4, 2}, labels, 10, 5, 5);
  const LabelHistograms histograms(shards, labels, 10);
  for (std::size_t w = 0; w < shards.size(); ++w) {
    INFO("worker " << w);
    // Shard sizes near n/N, class shares near the global 10 %.
    CHECK(static_cast<double>(shards[w].size()) == Approx(4000.0).epsilon(0.05));
    for (std::int64_t count : histograms[w]) {
      const double share = static_cast<double>(count) / static_cast<double>(shards[w].size());
      CHECK(std::abs(share - 0.1) < 0.02);
    }
  }
}

TEST_CASE("dirichlet with a small alpha gives most workers one dominant class",
          "[models][partition]") {
  const std::vector<int> labels = balanced_labels(10, 1000);
  const auto shards = split({PartitionKind::dirichlet, 0.05, 2}, labels, 10, 10, 1);
  const LabelHistograms histograms(shards, labels, 10);
  int dominated = 0;
  for (std::size_t w = 0; w < shards.size(); ++w) {
    const std::int64_t top = *std::max_element(histograms[w].begin(), histograms[w].end());
    if (static_cast<double>(top) > 0.5 * static_cast<double>(shards[w].size())) ++dominated;
  }
  CHECK(dominated >= 7);
}

TEST_CASE("iid and contiguous through PartitionSpec give the same shards as before",
          "[models][partition]") {
  const std::vector<int> labels = balanced_labels(3, 33);
  for (PartitionKind kind : {PartitionKind::iid, PartitionKind::contiguous}) {
    INFO(to_string(kind));
    CHECK(split({kind, 0.5, 2}, labels, 3, 4, 9) == partition(kind, 99, 4, 9));
    // Regression data (no labels) is fine for them.
    CHECK(partition({kind, 0.5, 2}, 99, {}, 0, 4, 9) == partition(kind, 99, 4, 9));
  }
}

TEST_CASE("label partitions reject regression data, bad parameters and empty workers",
          "[models][partition]") {
  const std::vector<int> labels = balanced_labels(2, 50);
  CHECK_THROWS_WITH(partition({PartitionKind::dirichlet, 0.5, 2}, 100, {}, 0, 4, 1),
                    Catch::Contains("dirichlet") && Catch::Contains("regression"));
  CHECK_THROWS_WITH(partition({PartitionKind::shards, 0.5, 2}, 100, {}, 0, 4, 1),
                    Catch::Contains("shards") && Catch::Contains("regression"));
  CHECK_THROWS_WITH(partition(PartitionKind::dirichlet, 100, 4, 1), Catch::Contains("labels"));
  CHECK_THROWS_WITH(split({PartitionKind::dirichlet, 0.0, 2}, labels, 2, 4, 1),
                    Catch::Contains("alpha"));
  CHECK_THROWS_WITH(split({PartitionKind::shards, 0.5, 0}, labels, 2, 4, 1),
                    Catch::Contains("labels_per_worker"));
  CHECK_THROWS_WITH(split({PartitionKind::shards, 0.5, 30}, labels, 2, 4, 1),
                    Catch::Contains("shards"));
  CHECK_THROWS_AS(split({PartitionKind::dirichlet, 0.5, 2}, {0, 1, 5, 1}, 2, 2, 1),
                  std::invalid_argument);
  // 50 workers, two classes, a tiny alpha: most workers get nothing.
  CHECK_THROWS_WITH(split({PartitionKind::dirichlet, 1e-3, 2}, labels, 2, 50, 1),
                    Catch::Contains("dirichlet") && Catch::Contains("larger alpha"));
}

TEST_CASE("label histograms count each shard's samples per class", "[models][partition]") {
  const std::vector<int> labels = {0, 1, 1, 2, 2, 2};
  const Partition shards({{0, 3}, {1, 2, 4, 5}});
  const LabelHistograms histograms(shards, labels, 3);
  REQUIRE(histograms.size() == 2);
  CHECK(std::ranges::equal(histograms[0], std::vector<std::int64_t>{1, 0, 1}));
  CHECK(std::ranges::equal(histograms[1], std::vector<std::int64_t>{0, 2, 2}));
}

}  // namespace sgdsim
