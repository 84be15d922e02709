// Work that must not hold Python up: it runs on a thread of its own while the calling thread
// waits with the GIL released, waking every 100 ms so that Python can run its signal handlers
// (Ctrl-C raises KeyboardInterrupt there, and only there: the main thread) and `tick` can report.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <optional>

namespace sgdsim::python {

namespace py = pybind11;

struct OffGilOutcome {
  // The KeyboardInterrupt (or another signal handler's exception) that set `stop`, taken off
  // Python's error indicator so that the caller decides what to raise.
  std::optional<py::error_already_set> signal_error;
};

// Runs `work` to its end. A signal handler that raises sets `stop` (work is expected to watch
// it); an exception from `work` is rethrown here once its thread has ended.
OffGilOutcome run_off_gil(const std::function<void()>& work, std::atomic<bool>& stop,
                          const std::function<void()>& tick = {});

}  // namespace sgdsim::python
