// The batch sampler: each epoch a seeded reshuffle of the worker's range of a shared array, the
// same batches as drawing index by index (the sampler's definition), and no write outside its
// range.
#include "models/data/batch_sampler.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include "models/rng.hpp"

namespace sgdsim {
namespace {

// The definition: take indices one at a time, reshuffling the whole shard whenever it runs out.
class ReferenceSampler {
 public:
  ReferenceSampler(std::vector<std::int64_t> order, std::int64_t batch, std::uint64_t seed)
      : order_(std::move(order)), batch_(batch), rng_(seed) {
    rng_.shuffle(order_.begin(), order_.end());
  }
  std::vector<std::int64_t> next() {
    std::vector<std::int64_t> out;
    while (static_cast<std::int64_t>(out.size()) < batch_) {
      if (cursor_ == order_.size()) {
        rng_.shuffle(order_.begin(), order_.end());
        cursor_ = 0;
      }
      out.push_back(order_[cursor_++]);
    }
    return out;
  }

 private:
  std::vector<std::int64_t> order_;
  std::int64_t batch_;
  Rng rng_;
  std::size_t cursor_ = 0;
};

std::vector<std::int64_t> iota_vector(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(count));
  std::iota(v.begin(), v.end(), first);
  return v;
}

}  // namespace

TEST_CASE("batches equal drawing index by index: whole, straddling and multi-epoch batches",
          "[models][sampler]") {
  const std::int64_t shard = GENERATE(1, 7, 12);
  const std::int64_t batch = GENERATE(1, 3, 4, 12, 20);
  INFO("shard " << shard << ", batch " << batch);
  std::vector<std::int64_t> order = iota_vector(100, shard);
  BatchSampler sampler(order, batch, 42);
  ReferenceSampler reference(iota_vector(100, shard), batch, 42);
  std::vector<std::int64_t> straddle;
  for (int k = 0; k < 30; ++k) {
    const auto got = sampler.next(straddle);
    const std::vector<std::int64_t> expected = reference.next();
    REQUIRE(std::ranges::equal(got, expected));
  }
}

TEST_CASE("every epoch visits the shard once, in a new order", "[models][sampler]") {
  std::vector<std::int64_t> order = iota_vector(0, 24);
  BatchSampler sampler(order, 6, 7);
  std::vector<std::int64_t> straddle;
  std::vector<std::vector<std::int64_t>> epochs;
  for (int e = 0; e < 3; ++e) {
    std::vector<std::int64_t> seen;
    for (int k = 0; k < 4; ++k) {
      const auto batch = sampler.next(straddle);
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
    epochs.push_back(seen);
    std::ranges::sort(seen);
    CHECK(seen == iota_vector(0, 24));
  }
  CHECK(epochs[0] != epochs[1]);
  CHECK(epochs[1] != epochs[2]);
}

TEST_CASE("samplers on adjacent ranges of one array keep to their own", "[models][sampler]") {
  std::vector<std::int64_t> orders = iota_vector(0, 30);  // worker 0: 0..9, worker 1: 10..29
  const std::span<std::int64_t> all(orders);
  BatchSampler first(all.subspan(0, 10), 3, 1);
  BatchSampler second(all.subspan(10, 20), 7, 2);
  std::vector<std::int64_t> straddle;
  for (int k = 0; k < 50; ++k) {
    for (std::int64_t i : first.next(straddle)) REQUIRE(i < 10);
    for (std::int64_t i : second.next(straddle)) REQUIRE(i >= 10);
  }
  std::vector<std::int64_t> head(orders.begin(), orders.begin() + 10);
  std::ranges::sort(head);
  CHECK(head == iota_vector(0, 10));
}

TEST_CASE("a full batch is the shard, in file order; bad sizes are refused", "[models][sampler]") {
  std::vector<std::int64_t> order = {5, 3, 9};
  BatchSampler sampler(order, 0, 1);
  std::vector<std::int64_t> straddle;
  CHECK(sampler.full_batch());
  CHECK(std::ranges::equal(sampler.next(straddle), std::vector<std::int64_t>{5, 3, 9}));
  CHECK(std::ranges::equal(sampler.order(), std::vector<std::int64_t>{5, 3, 9}));

  CHECK_THROWS_AS(BatchSampler(order, -1, 1), std::invalid_argument);
  std::vector<std::int64_t> none;
  CHECK_THROWS_AS(BatchSampler(none, 2, 1), std::invalid_argument);
}

}  // namespace sgdsim
