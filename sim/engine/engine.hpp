// The discrete-event engine: a clock and a queue, nothing about SGD. Construct one per run.
#pragma once

#include <atomic>
#include <cstdint>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

class Engine {
 public:
  SimTime now() const { return now_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending() const { return queue_.size(); }
  void reserve(std::size_t events) { queue_.reserve(events); }

  // Throws std::logic_error when `time` is in the past.
  void schedule_at(SimTime time, EventAction action);
  void schedule_after(SimTime delay, EventAction action) {
    schedule_at(now_ + delay, std::move(action));
  }

  // Runs events until the queue is empty, stop() is called from an event, or `interrupt` (when
  // given) becomes true: it is read before every event, so a signal handler that sets it ends
  // the run whatever the events are doing. Returns whether the interrupt ended it.
  bool run(const std::atomic<bool>* interrupt = nullptr);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  EventQueue queue_;
  SimTime now_ = SimTime::zero();
  std::uint64_t events_processed_ = 0;
  bool stopped_ = false;
};

}  // namespace sgdsim
