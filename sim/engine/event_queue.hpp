// Pending events, ordered by (time, insertion sequence): simultaneous events run in the order they
// were scheduled, so a run never depends on heap internals. A 4-ary heap of 16-byte keys whose
// four children share one cache line; the actions wait in a slab of reused slots, so sifting moves
// keys rather than callables. 16-byte keys rather than 24 are 8 bytes less per pending event (a
// run of 10⁶ workers holds 10⁶–2·10⁶); bench/engine_bench.cpp times a queue in cache and one of
// 2^21 events out of it.
#pragma once

#include <algorithm>
#include <boost/align/aligned_allocator.hpp>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/engine/event_action.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct Event {
  SimTime time;
  EventAction action;
};

class EventQueue {
 public:
  // Sequence numbers are 32 bits, so that a key is 16 bytes: when the next one would reach
  // `sequence_limit`, the pending events are renumbered from 0 in their order (tests lower the
  // limit to exercise that; a run meets it every ~4·10⁹ events).
  explicit EventQueue(std::uint32_t sequence_limit = std::numeric_limits<std::uint32_t>::max())
      : heap_(kRoot), sequence_limit_(sequence_limit) {}

  bool empty() const { return heap_.size() == kRoot; }
  std::size_t size() const { return heap_.size() - kRoot; }
  // Room for `events` pending at once without a reallocation (which would hold the old arrays and
  // the new, twice as large, at once).
  void reserve(std::size_t events) {
    heap_.reserve(kRoot + events);
    actions_.reserve(events);
    free_slots_.reserve(events);
  }

  void push(SimTime time, EventAction action) {
    if (next_sequence_ == sequence_limit_) renumber();
    std::uint32_t slot;
    if (free_slots_.empty()) {
      if (actions_.size() == std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("more than 2^32 - 1 events pending at once");
      }
      slot = static_cast<std::uint32_t>(actions_.size());
      actions_.push_back(std::move(action));
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
      actions_[slot] = std::move(action);
    }
    heap_.push_back({});
    sift_up(heap_.size() - 1, Key{time.ns(), next_sequence_++, slot});
  }

  // The earliest event; the queue must not be empty.
  Event pop() {
    const Key top = heap_[kRoot];
    const Key last = heap_.back();
    heap_.pop_back();
    if (!empty()) sift_down(last);
    free_slots_.push_back(top.slot);
    return Event{SimTime::from_ns(top.time_ns), std::move(actions_[top.slot])};
  }

 private:
  struct Key {
    std::int64_t time_ns;
    std::uint32_t sequence;
    std::uint32_t slot;
  };
  static_assert(sizeof(Key) == 16);

  // The root sits at position 3 of a 64-byte aligned array, so that the children of position p,
  // 4p − 8 … 4p − 5, start on a cache line: the positions before it are unused.
  static constexpr std::size_t kRoot = 3;
  static std::size_t parent(std::size_t position) { return position / 4 + 2; }
  static std::size_t first_child(std::size_t position) { return 4 * position - 8; }

  static bool earlier(const Key& a, const Key& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.sequence < b.sequence;
  }

  // Moves the hole at `position` up until `key` fits there.
  void sift_up(std::size_t position, const Key& key) {
    while (position > kRoot) {
      const std::size_t up = parent(position);
      if (!earlier(key, heap_[up])) break;
      heap_[position] = heap_[up];
      position = up;
    }
    heap_[position] = key;
  }

  // Moves the hole at the root down until `key` fits there.
  void sift_down(const Key& key) {
    const std::size_t end = heap_.size();
    std::size_t position = kRoot;
    for (;;) {
      const std::size_t first = first_child(position);
      if (first >= end) break;
      const std::size_t last = std::min(first + 4, end);
      std::size_t best = first;
      for (std::size_t child = first + 1; child < last; ++child) {
        if (earlier(heap_[child], heap_[best])) best = child;
      }
      if (!earlier(heap_[best], key)) break;
      heap_[position] = heap_[best];
      position = best;
    }
    heap_[position] = key;
  }

  // Sequence numbers 0 … size − 1 in the pending events' order: sorted keys are a heap as well.
  void renumber() {
    if (size() >= sequence_limit_) {
      throw std::length_error("more events pending than sequence numbers to order them");
    }
    std::sort(heap_.begin() + kRoot, heap_.end(), earlier);
    std::uint32_t sequence = 0;
    for (auto key = heap_.begin() + kRoot; key != heap_.end(); ++key) key->sequence = sequence++;
    next_sequence_ = sequence;
  }

  std::vector<Key, boost::alignment::aligned_allocator<Key, 64>> heap_;
  std::vector<EventAction> actions_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t next_sequence_ = 0;
  std::uint32_t sequence_limit_;
};

}  // namespace sgdsim
