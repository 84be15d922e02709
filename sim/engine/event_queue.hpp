// Pending events, ordered by (time, insertion sequence): simultaneous events run in the order they
// were scheduled, so a run never depends on heap internals. A binary heap on a vector.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "sim/engine/sim_time.hpp"

namespace sgdsim {

using EventAction = std::function<void()>;

struct Event {
  SimTime time;
  std::uint64_t sequence = 0;
  EventAction action;
};

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }

  // Returns the event's sequence number (unique, increasing).
  std::uint64_t push(SimTime time, EventAction action) {
    const std::uint64_t sequence = next_sequence_++;
    heap_.push_back(Event{time, sequence, std::move(action)});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return sequence;
  }

  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Event event = std::move(heap_.back());
    heap_.pop_back();
    return event;
  }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
  }

  std::vector<Event> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sgdsim
