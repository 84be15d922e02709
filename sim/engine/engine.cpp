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

void Engine::run() {
  stopped_ = false;
  while (!stopped_ && !queue_.empty()) {
    Event event = queue_.pop();
    assert(event.time >= now_);
    now_ = event.time;
    ++events_processed_;
    event.action();
  }
}

}  // namespace sgdsim
