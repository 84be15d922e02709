#include "sim/python/off_gil.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace sgdsim::python {

OffGilOutcome run_off_gil(const std::function<void()>& work, std::atomic<bool>& stop,
                          const std::function<void()>& tick) {
  OffGilOutcome outcome;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::exception_ptr failure;
  std::thread thread([&] {
    try {
      work();
    } catch (...) {
      failure = std::current_exception();
    }
    const std::lock_guard lock(mutex);
    done = true;
    finished.notify_all();
  });
  for (;;) {
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mutex);
      if (finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) break;
    }
    if (!outcome.signal_error && PyErr_CheckSignals() != 0) {
      outcome.signal_error.emplace();  // fetches (and clears) the error the handler raised
      stop = true;
    }
    if (tick) {
      try {
        tick();
      } catch (py::error_already_set& e) {  // a report that cannot be shown must not end the run
        e.discard_as_unraisable("sgdsim progress");
      }
    }
  }
  {
    py::gil_scoped_release release;
    thread.join();
  }
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

}  // namespace sgdsim::python
