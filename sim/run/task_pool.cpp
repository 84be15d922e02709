#include "sim/run/task_pool.hpp"

#include <exception>

namespace sgdsim {

struct TaskPool::Task {
  std::function<bool()> work;
  enum class State { queued, running, done } state = State::queued;
  bool result = false;
  std::exception_ptr error;  // what the work threw, for wait() to rethrow on the caller's thread
};

TaskPool::TaskPool(int threads) {
  for (int t = 1; t < threads; ++t) helpers_.emplace_back([this] { help(); });
}

TaskPool::~TaskPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_available_.notify_all();
  helpers_.clear();  // joins
}

TaskPool::Ticket TaskPool::submit(std::function<bool()> work) {
  auto task = std::make_shared<Task>();
  task->work = std::move(work);
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(task);
  }
  work_available_.notify_one();
  return task;
}

bool TaskPool::wait(const Ticket& ticket) {
  std::unique_lock lock(mutex_);
  while (ticket->state != Task::State::done) {
    // Run the awaited task if nobody has taken it, else any queued one: never sit idle.
    Ticket next;
    if (ticket->state == Task::State::queued) {
      next = ticket;
    } else {
      while (!queue_.empty() && queue_.front()->state != Task::State::queued) queue_.pop_front();
      if (!queue_.empty()) {
        next = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (!next) {
      work_done_.wait(lock);
      continue;
    }
    execute(next, lock);
  }
  if (ticket->error) std::rethrow_exception(ticket->error);
  return ticket->result;
}

void TaskPool::execute(const Ticket& task, std::unique_lock<std::mutex>& lock) {
  task->state = Task::State::running;
  lock.unlock();
  bool result = false;
  std::exception_ptr error;
  try {
    result = task->work();
  } catch (...) {  // a helper thread must not die with it: std::terminate would end the process
    error = std::current_exception();
  }
  lock.lock();
  task->result = result;
  task->error = std::move(error);
  task->state = Task::State::done;
  work_done_.notify_all();
}

void TaskPool::help() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Ticket task = std::move(queue_.front());
    queue_.pop_front();
    if (task->state != Task::State::queued) continue;  // the event loop ran it itself
    execute(task, lock);
  }
}

}  // namespace sgdsim
