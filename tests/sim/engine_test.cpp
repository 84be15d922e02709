// Properties of the discrete-event engine: deterministic ordering of simultaneous events, a clock
// that never runs backwards, rejection of events in the past, stop(), the event counter, and the
// lifetime of an event's action.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "models/rng.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/engine/sim_time.hpp"

namespace {

using sgdsim::Engine;
using sgdsim::SimTime;

SimTime ns(std::int64_t n) {
  return SimTime::from_ns(n);
}

}  // namespace

TEST_CASE("events at equal times run in the order they were scheduled", "[sim][engine]") {
  Engine engine;
  std::vector<int> order;
  // Interleave two time stamps so that a heap without a tie-breaker would reorder them.
  for (int i = 0; i < 50; ++i) {
    const SimTime t = ns(i % 2 == 0 ? 100 : 50);
    engine.schedule_at(t, [&order, i] { order.push_back(i); });
  }
  engine.run();
  std::vector<int> expected;
  for (int i = 1; i < 50; i += 2) expected.push_back(i);
  for (int i = 0; i < 50; i += 2) expected.push_back(i);
  CHECK(order == expected);
}

TEST_CASE("an event scheduled at the current time from an event runs after those already queued",
          "[sim][engine]") {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(ns(10), [&] {
    order.push_back(0);
    engine.schedule_after(SimTime::zero(), [&] { order.push_back(2); });
  });
  engine.schedule_at(ns(10), [&] { order.push_back(1); });
  engine.run();
  CHECK(order == std::vector<int>{0, 1, 2});
}

namespace {

// Pushes and pops at random against a reference ordered set of (time, push index): the queue must
// pop exactly the reference's order. `limit` small renumbers the pending events' sequence numbers
// every few pushes.
void check_against_reference(std::uint32_t limit, int operations, std::size_t max_pending) {
  sgdsim::EventQueue queue(limit);
  std::set<std::pair<std::int64_t, int>> reference;
  sgdsim::Rng rng(7);
  int pushed = 0;
  int popped = 0;
  std::int64_t now = 0;
  int ran = -1;
  for (int op = 0; op < operations; ++op) {
    const bool push = !reference.empty() && reference.size() < max_pending
                          ? rng.uniform_index(2) == 0
                          : reference.empty();
    if (push) {
      const auto time = now + static_cast<std::int64_t>(rng.uniform_index(4));  // many ties
      const int index = pushed++;
      queue.push(ns(time), [&ran, index] { ran = index; });
      reference.emplace(time, index);
    } else {
      REQUIRE(queue.size() == reference.size());
      sgdsim::Event event = queue.pop();
      event.action();
      const auto expected = *reference.begin();
      reference.erase(reference.begin());
      REQUIRE(event.time == ns(expected.first));
      REQUIRE(ran == expected.second);
      now = expected.first;
      ++popped;
    }
  }
  CHECK(popped > operations / 3);
  CHECK(queue.size() == reference.size());
}

}  // namespace

TEST_CASE("the event queue pops by (time, insertion order) whatever the push order",
          "[sim][engine]") {
  SECTION("a large queue (every level of the heap)") {
    check_against_reference(~0U, 20000, 2000);
  }
  SECTION("sequence numbers renumbered every few pushes") {
    check_against_reference(8, 20000, 6);
  }
  SECTION("renumbered with as many pending as numbers allow") {
    check_against_reference(64, 20000, 63);
  }
}

TEST_CASE("the event queue refuses more pending events than sequence numbers to order them",
          "[sim][engine]") {
  sgdsim::EventQueue queue(4);
  for (int i = 0; i < 4; ++i) queue.push(ns(i), [] {});
  CHECK_THROWS_AS(queue.push(ns(0), [] {}), std::length_error);
  CHECK(queue.size() == 4);
  CHECK(queue.pop().time == ns(0));
  queue.push(ns(9), [] {});  // room again: renumbered
  CHECK(queue.size() == 4);
}

TEST_CASE("the clock never goes backwards and each event sees its own time", "[sim][engine]") {
  Engine engine;
  sgdsim::Rng rng(11);
  std::vector<std::int64_t> seen;
  std::vector<std::int64_t> scheduled_for;
  // Events schedule further events at random delays, including zero.
  std::function<void(int)> spawn = [&](int depth) {
    const SimTime at = engine.now() + ns(static_cast<std::int64_t>(rng.uniform_index(5)));
    scheduled_for.push_back(at.ns());
    const std::size_t index = scheduled_for.size() - 1;
    engine.schedule_at(at, [&, depth, index] {
      seen.push_back(engine.now().ns());
      CHECK(engine.now().ns() == scheduled_for[index]);
      if (depth < 6) {
        spawn(depth + 1);
        spawn(depth + 1);
      }
    });
  };
  spawn(0);
  engine.run();
  REQUIRE(seen.size() == 127);
  for (std::size_t i = 1; i < seen.size(); ++i) REQUIRE(seen[i] >= seen[i - 1]);
}

TEST_CASE("scheduling an event in the past throws and leaves the queue unchanged",
          "[sim][engine]") {
  Engine engine;
  bool threw = false;
  engine.schedule_at(ns(100), [&] {
    const std::size_t before = engine.pending();
    CHECK_THROWS_AS(engine.schedule_at(ns(99), [] {}), std::logic_error);
    CHECK(engine.pending() == before);
    threw = true;
    CHECK_NOTHROW(engine.schedule_at(ns(100), [] {}));  // the present is not the past
  });
  engine.run();
  CHECK(threw);
  CHECK(engine.now() == ns(100));
  CHECK_THROWS_AS(engine.schedule_at(ns(0), [] {}), std::logic_error);
}

TEST_CASE("stop() halts the run after the current event and leaves later events queued",
          "[sim][engine]") {
  Engine engine;
  std::vector<int> ran;
  engine.schedule_at(ns(1), [&] { ran.push_back(1); });
  engine.schedule_at(ns(2), [&] {
    ran.push_back(2);
    engine.stop();
  });
  engine.schedule_at(ns(2), [&] { ran.push_back(3); });
  engine.schedule_at(ns(3), [&] { ran.push_back(4); });
  engine.run();
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(engine.stopped());
  CHECK(engine.now() == ns(2));
  CHECK(engine.pending() == 2);
  CHECK(engine.events_processed() == 2);
}

TEST_CASE("events_processed counts every event run, across run() calls", "[sim][engine]") {
  Engine engine;
  CHECK(engine.events_processed() == 0);
  for (int i = 0; i < 17; ++i) engine.schedule_at(ns(i), [] {});
  engine.run();
  CHECK(engine.events_processed() == 17);
  CHECK(engine.pending() == 0);
  engine.schedule_after(ns(5), [] {});
  engine.run();
  CHECK(engine.events_processed() == 18);
  CHECK(engine.now() == ns(16 + 5));
}

TEST_CASE("schedule_after is relative to the current simulated time", "[sim][engine]") {
  Engine engine;
  std::vector<std::int64_t> times;
  engine.schedule_at(ns(1000), [&] {
    engine.schedule_after(ns(250), [&] { times.push_back(engine.now().ns()); });
  });
  engine.run();
  CHECK(times == std::vector<std::int64_t>{1250});
}

TEST_CASE("SimTime::from_seconds rounds to the nearest nanosecond and rejects non-finite values",
          "[sim][engine]") {
  CHECK(SimTime::from_seconds(0.03).ns() == 30'000'000);
  CHECK(SimTime::from_seconds(1.4e-9).ns() == 1);
  CHECK(SimTime::from_seconds(1.6e-9).ns() == 2);
  CHECK(SimTime::from_seconds(2.5).seconds() == 2.5);
  CHECK_THROWS_AS(SimTime::from_seconds(std::numeric_limits<double>::quiet_NaN()),
                  std::overflow_error);
  CHECK_THROWS_AS(SimTime::from_seconds(1e12), std::overflow_error);
}

namespace {

// A capture of `Bytes` bytes that counts its live copies, so that a leak or a double destruction
// of an action, inline or on the heap, shows.
template <std::size_t Bytes>
struct CountedCapture {
  explicit CountedCapture(int* live, int* calls) : live(live), calls(calls) { ++*live; }
  CountedCapture(CountedCapture&& other) noexcept : live(other.live), calls(other.calls) {
    ++*live;
  }
  CountedCapture(const CountedCapture& other) : live(other.live), calls(other.calls) { ++*live; }
  ~CountedCapture() { --*live; }
  void operator()() const { ++*calls; }

  int* live;
  int* calls;
  unsigned char padding[Bytes - 2 * sizeof(int*)] = {};
};

}  // namespace

TEMPLATE_TEST_CASE("an action runs once and is destroyed once, kept inline or on the heap",
                   "[sim][engine]", CountedCapture<32>, CountedCapture<40>, CountedCapture<64>) {
  int live = 0;
  int calls = 0;
  {
    sgdsim::EventQueue queue;
    queue.reserve(4);
    queue.push(ns(2), TestType(&live, &calls));
    queue.push(ns(1), TestType(&live, &calls));
    CHECK(live == 2);
    sgdsim::Event first = queue.pop();  // moved out of its slot
    CHECK(first.time == ns(1));
    first.action();
    sgdsim::EventAction moved = std::move(first.action);
    moved();
    CHECK(calls == 2);
    CHECK(live == 2);
  }  // the popped action and the one still queued
  CHECK(live == 0);
}
