// Pending events, ordered by (time, insertion sequence): simultaneous events run in the order they
// were scheduled, so a run never depends on heap internals. A binary heap of small keys on a
// vector; the actions wait in a slab of reused slots, so sifting moves 24-byte keys rather than
// callables (bench/engine_bench.cpp measures the difference against a bare priority queue).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/engine/event_action.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct Event {
  SimTime time;
  std::uint64_t sequence = 0;
  EventAction action;
};

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // Room for `events` pending at once without a reallocation (which would hold the old arrays and
  // the new, twice as large, at once).
  void reserve(std::size_t events) {
    heap_.reserve(events);
    actions_.reserve(events);
    free_slots_.reserve(events);
  }

  // Returns the event's sequence number (unique, increasing).
  std::uint64_t push(SimTime time, EventAction action) {
    const std::uint64_t sequence = next_sequence_++;
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(actions_.size());
      actions_.push_back(std::move(action));
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
      actions_[slot] = std::move(action);
    }
    heap_.push_back(Key{time.ns(), sequence, slot});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return sequence;
  }

  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Key key = heap_.back();
    heap_.pop_back();
    free_slots_.push_back(key.slot);
    return Event{SimTime::from_ns(key.time_ns), key.sequence, std::move(actions_[key.slot])};
  }

 private:
  struct Key {
    std::int64_t time_ns;
    std::uint64_t sequence;
    std::uint32_t slot;
  };

  static bool later(const Key& a, const Key& b) {
    return a.time_ns != b.time_ns ? a.time_ns > b.time_ns : a.sequence > b.sequence;
  }

  std::vector<Key> heap_;
  std::vector<EventAction> actions_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sgdsim
