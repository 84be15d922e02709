// The communicator of one process holding every worker (the simulator): exact means in memory.
#pragma once

#include <span>
#include <vector>

#include "models/elementwise.hpp"
#include "sim/algorithms/communicator.hpp"

namespace sgdsim {

template <class Scalar>
class InProcessCommunicator final : public Communicator<Scalar> {
 public:
  using Vector = typename Communicator<Scalar>::Vector;

  void average(const std::vector<int>& /*participants*/, const std::vector<double>& weights,
               const std::vector<const Vector*>& local, Vector& mean) override {
    if (local.size() < 2) {
      mean = *local.front();
      return;
    }
    bool uniform = true;
    for (double w : weights) uniform = uniform && w == weights.front();
    // Equal weights are the plain mean, bit for bit (fedavg over equal shards is local SGD).
    if (uniform) {
      mean = *local[0];
      for (std::size_t i = 1; i < local.size(); ++i) {
        elementwise::add(mean.data(), local[i]->data(), mean.size());  // mean += *local[i]
      }
      elementwise::divide(mean.data(), static_cast<Scalar>(local.size()), mean.size());
    } else {
      double total = 0.0;
      for (double w : weights) total += w;
      mean = static_cast<Scalar>(weights[0] / total) * *local[0];
      for (std::size_t i = 1; i < local.size(); ++i) {
        mean += static_cast<Scalar>(weights[i] / total) * *local[i];
      }
    }
  }

  void sum(const std::vector<int>& /*participants*/, const std::vector<const Vector*>& local,
           Vector& sum) override {
    sum.setZero();
    for (const Vector* vector : local) sum += *vector;
  }

  std::vector<double> sum_over_workers(std::span<const double> local, int width) override {
    std::vector<double> sums(static_cast<std::size_t>(width), 0.0);
    for (std::size_t first = 0; first < local.size(); first += sums.size()) {
      for (std::size_t v = 0; v < sums.size(); ++v) sums[v] += local[first + v];
    }
    return sums;
  }

  void mix(const std::vector<MixingRow>& weights, const std::vector<Vector*>& local) override {
    mixed_.resize(local.size());
    for (std::size_t i = 0; i < local.size(); ++i) {
      Vector& mixed = mixed_[i];
      mixed.setZero(local[i]->size());
      for (const auto& [j, w] : weights[i]) mixed += static_cast<Scalar>(w) * *local[j];
    }
    for (std::size_t i = 0; i < local.size(); ++i) local[i]->swap(mixed_[i]);
  }

 private:
  std::vector<Vector> mixed_;  // the models after mixing, built before any of them changes
};

}  // namespace sgdsim
