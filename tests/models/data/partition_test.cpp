#include "models/data/partition.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <stdexcept>

namespace sgdsim {

TEST_CASE("iid shards are disjoint, of size floor(n/N), drawn from 0..n-1", "[partition]") {
  const std::int64_t n = GENERATE(10, 97, 1000);
  const int workers = GENERATE(1, 3, 8);
  INFO("n = " << n << ", N = " << workers);
  const auto shards = partition(PartitionKind::iid, n, workers, 5);
  REQUIRE(shards.size() == static_cast<std::size_t>(workers));

  std::set<std::int64_t> seen;
  for (const Shard& shard : shards) {
    CHECK(static_cast<std::int64_t>(shard.size()) == n / workers);
    for (std::int64_t index : shard) {
      CHECK(index >= 0);
      CHECK(index < n);
      CHECK(seen.insert(index).second);
    }
  }
  CHECK(static_cast<std::int64_t>(seen.size()) == n - n % workers);
}

TEST_CASE("iid shards are a seeded shuffle: same seed same shards, new seed new shards",
          "[partition]") {
  const auto a = partition(PartitionKind::iid, 1000, 4, 7);
  CHECK(a == partition(PartitionKind::iid, 1000, 4, 7));
  CHECK(a != partition(PartitionKind::iid, 1000, 4, 8));

  // Shuffled, not handed out in file order.
  std::vector<std::int64_t> in_order(250);
  std::iota(in_order.begin(), in_order.end(), std::int64_t{0});
  CHECK_FALSE(std::ranges::equal(a[0], in_order));
  CHECK_FALSE(std::is_sorted(a[0].begin(), a[0].end()));
}

TEST_CASE("contiguous shards of 10 samples among 3 workers are [0,3), [3,6), [6,10)",
          "[partition]") {
  const auto shards = partition(PartitionKind::contiguous, 10, 3, 123);
  REQUIRE(shards.size() == 3);
  CHECK(std::ranges::equal(shards[0], std::vector<std::int64_t>{0, 1, 2}));
  CHECK(std::ranges::equal(shards[1], std::vector<std::int64_t>{3, 4, 5}));
  CHECK(std::ranges::equal(shards[2], std::vector<std::int64_t>{6, 7, 8, 9}));
}

TEST_CASE("contiguous shards cover 0..n-1 in order with boundaries floor(w*n/N), whatever the seed",
          "[partition]") {
  const std::int64_t n = GENERATE(5, 17, 1000);
  const int workers = GENERATE(1, 2, 5);
  INFO("n = " << n << ", N = " << workers);
  const auto shards = partition(PartitionKind::contiguous, n, workers, 1);
  CHECK(shards == partition(PartitionKind::contiguous, n, workers, 2));

  std::int64_t next = 0;
  for (int w = 0; w < workers; ++w) {
    REQUIRE_FALSE(shards[w].empty());
    CHECK(shards[w].front() == w * n / workers);
    for (std::int64_t index : shards[w]) CHECK(index == next++);
  }
  CHECK(next == n);
}

TEST_CASE("partition rejects fewer samples than workers and fewer than one worker", "[partition]") {
  for (PartitionKind kind : {PartitionKind::iid, PartitionKind::contiguous}) {
    CHECK_THROWS_AS(partition(kind, 3, 4, 0), std::invalid_argument);
    CHECK_THROWS_WITH(partition(kind, 3, 4, 0),
                      Catch::Matchers::StartsWith("4 workers but only 3 samples"));
    CHECK_THROWS_AS(partition(kind, 0, 1, 0), std::invalid_argument);
    CHECK_THROWS_AS(partition(kind, 10, 0, 0), std::invalid_argument);
    CHECK_THROWS_AS(partition(kind, 10, -2, 0), std::invalid_argument);
    CHECK_NOTHROW(partition(kind, 4, 4, 0));
  }
}

TEST_CASE("a partition keeps its shards back to back in one array, cut at N + 1 offsets",
          "[partition]") {
  const Partition shards({{4, 1}, {}, {0, 2, 3}});
  REQUIRE(shards.size() == 3);
  CHECK(shards.indices() == std::vector<std::int64_t>{4, 1, 0, 2, 3});
  CHECK(shards.offset(0) == 0);
  CHECK(shards.offset(1) == 2);
  CHECK(shards.offset(2) == 2);
  CHECK(shards[1].empty());
  CHECK(std::ranges::equal(shards[2], std::vector<std::int64_t>{0, 2, 3}));
  int visited = 0;
  for (Shard shard : shards) visited += static_cast<int>(shard.size());
  CHECK(visited == 5);
  CHECK(shards == Partition::from_offsets({4, 1, 0, 2, 3}, {0, 2, 2, 5}));
  CHECK(Partition().size() == 0);

  CHECK_THROWS_AS(Partition::from_offsets({1, 2}, {0, 3}), std::invalid_argument);  // past the end
  CHECK_THROWS_AS(Partition::from_offsets({1, 2}, {1, 2}), std::invalid_argument);  // not from 0
  CHECK_THROWS_AS(Partition::from_offsets({1, 2}, {0, 2, 1, 2}), std::invalid_argument);  // falling
  CHECK_THROWS_AS(Partition::from_offsets({1, 2}, {}), std::invalid_argument);
}

}  // namespace sgdsim
