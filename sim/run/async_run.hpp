// Drives an asynchronous algorithm (sim/algorithms/async_algorithm.hpp) through simulated time.
// Each worker loops: pull the model from the parameter server, compute a gradient (the compute
// model's step time), push it; the server applies it on arrival, and the worker pulls again at
// once. No worker ever waits for another, only for the network.
//
// Network: every transfer is one message of S bytes between a worker and the server endpoint of
// the topology. Each resource on its route (on a switch: the worker's port and the server's
// port) serves one message at a time, first come first served: a message starts once all of them
// are free and holds them for latency + S / (the route's slowest bandwidth). On a switch only
// the server's ports are shared, so its receive side serialises pushes and its transmit side
// pulls: incast at the server shows up as queueing (the α–β rule of one link, per message).
// Waiting for a resource is idle time; holding it is communication. A pull answers with the
// model as of the request: the server copies it and the copy waits in its send queue.
//
// Length: the run ends when the server has applied N·T gradients, as many as T synchronous steps
// of N workers compute; messages and gradients still in flight then are dropped. The nominal step
// of the u-th update is ⌈u/N⌉ (its learning rate, and the step of metrics rows, written at step 0,
// whenever u reaches a multiple of N·eval_every, and at the end). comm_rounds and each worker's
// `steps` count gradients applied; bytes_sent, completed pushes and pulls. A time span cut off by
// the end is still accounted, so per worker compute + communication + idle = sim_time exactly.
// Simultaneous events run in the engine's (time, insertion) order, so a run is deterministic.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "sim/algorithms/async_algorithm.hpp"
#include "sim/engine/engine.hpp"
#include "sim/run/cluster_timing.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/run_result.hpp"

namespace sgdsim {

class AsyncRun {
 public:
  // The network's topology must have a server endpoint (a parameter_server collective's does).
  // Throws std::invalid_argument without one, or with failures or overlap, which are not modelled.
  // eval_every 0: measure only at the start and the end.
  AsyncRun(AsyncAlgorithm& algorithm, ClusterTiming timing, std::int64_t eval_every,
           RunObserver& observer, const std::atomic<bool>* stop_requested = nullptr);

  RunResult run();

 private:
  enum class State { queued, transferring, computing };

  // A worker's way to or from the server: the resources it holds, and for how long.
  struct Path {
    std::vector<int> resources;
    SimTime duration;
  };

  Path make_path(int src, int dst) const;
  void send(int worker, const Path& path, void (AsyncRun::*on_arrival)(int));
  void request_pull(int worker);
  void finish_pull(int worker);
  void finish_compute(int worker, SimTime started);
  void finish_push(int worker);
  void count_bytes(const Path& path);
  void enter(int worker, State state);
  std::int64_t nominal_step(std::int64_t update) const;
  bool is_eval_update(std::int64_t update) const;
  void diverge(std::int64_t step, int worker);
  void measure();
  bool stop_if_requested();

  AsyncAlgorithm& algorithm_;
  ClusterTiming timing_;
  std::int64_t eval_every_;
  RunObserver& observer_;
  const std::atomic<bool>* stop_requested_;
  int workers_;
  std::int64_t total_updates_;

  Engine engine_;
  RunResult result_;
  std::vector<Path> push_paths_, pull_paths_;
  std::vector<SimTime> free_at_;  // per network resource: when its last message releases it
  std::vector<State> state_;
  std::vector<SimTime> since_;  // when the worker entered its current state
  std::vector<std::int64_t> gradients_computed_;
};

}  // namespace sgdsim
