// Runs tasks (the workers' local-step math) on helper threads while the event loop goes on. The
// event loop submits a worker's next step when the worker starts it in simulated time and waits
// for it when the step ends, in event order; a task nobody has picked up yet runs on the waiting
// thread. Each task touches only its worker's state, so results do not depend on the threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sgdsim {

class TaskPool {
 public:
  struct Task;
  using Ticket = std::shared_ptr<Task>;

  // `threads` in all, the caller's included: threads − 1 helpers.
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  Ticket submit(std::function<bool()> work);
  // The task's result, once it has run (here, if no helper has started it). An exception the
  // task threw, on whichever thread ran it, is rethrown here.
  bool wait(const Ticket& ticket);

 private:
  void help();
  // Runs `task` on this thread with the mutex released, and records its outcome.
  void execute(const Ticket& task, std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable work_done_;
  std::deque<Ticket> queue_;
  bool stopping_ = false;
  std::vector<std::jthread> helpers_;
};

}  // namespace sgdsim
