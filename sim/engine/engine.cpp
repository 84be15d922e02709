#include "sim/engine/engine.hpp"

#include <cassert>
#include <stdexcept>
#include <string>

namespace sgdsim {

void Engine::schedule_at(SimTime time, EventAction action) {
  if (time < now_) {
    throw std::logic_error("event scheduled in the past: " + std::to_string(time.ns()) +
                           " ns < now " + std::to_string(now_.ns()) + " ns");
  }
  queue_.push(time, std::move(action));
}

bool Engine::run(const std::atomic<bool>* interrupt) {
  stopped_ = false;
  while (!stopped_ && !queue_.empty()) {
    if (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) return true;
    Event event = queue_.pop();
    assert(event.time >= now_);
    now_ = event.time;
    ++events_processed_;
    event.action();
  }
  return false;
}

}  // namespace sgdsim
