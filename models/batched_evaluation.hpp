// Loss, gradient and accuracy over many samples, computed in chunks so that memory stays bounded
// (a full-batch MLP pass over 60 000 samples would otherwise hold every activation at once).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "models/data/dataset.hpp"
#include "models/objective.hpp"

namespace sgdsim {

inline constexpr Eigen::Index kEvaluationChunk = 2048;

// Runs body(chunk) for chunks [first, last) on up to `threads` threads (the caller's included).
// An exception thrown on any of them is rethrown here once all have stopped (the first thread's
// first): one escaping a helper thread would call std::terminate.
template <class Body>
void for_chunks(Eigen::Index first, Eigen::Index last, int threads, Body body) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(threads, 1)));
  const auto run_share = [&body, &errors, first, last, threads](int t) {
    try {
      for (Eigen::Index c = first + t; c < last; c += threads) body(c);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (int t = 1; t < threads && first + t < last; ++t) helpers.emplace_back(run_share, t);
    run_share(0);
  }  // joins the helpers
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

// Mean loss and its gradient over the samples `indices` of `data` (all samples when nullopt). With
// threads > 1, waves of `threads` chunks run in parallel and are added in chunk order, so the
// result is bit-identical whatever the thread count.
template <class Scalar>
double chunked_loss_and_gradient(const Objective<Scalar>& objective,
                                 const typename Objective<Scalar>::Vector& params,
                                 const Dataset<Scalar>& data,
                                 std::optional<std::span<const std::int64_t>> indices,
                                 typename Objective<Scalar>::Vector& grad, int threads = 1) {
  const Eigen::Index n = indices ? static_cast<Eigen::Index>(indices->size()) : data.num_samples();
  const Eigen::Index chunks = (n + kEvaluationChunk - 1) / kEvaluationChunk;
  threads = std::max(1, threads);
  struct Slot {
    typename Objective<Scalar>::Vector grad;
    typename Dataset<Scalar>::Matrix features;
    typename Dataset<Scalar>::Vector targets;
    Scalar loss = 0;
  };
  std::vector<Slot> slots(static_cast<std::size_t>(std::min<Eigen::Index>(threads, chunks)));
  grad.setZero(objective.num_params());
  double loss = 0.0;
  for (Eigen::Index wave = 0; wave < chunks; wave += threads) {
    const Eigen::Index wave_end = std::min(chunks, wave + threads);
    for_chunks(wave, wave_end, threads, [&](Eigen::Index c) {
      Slot& slot = slots[static_cast<std::size_t>(c - wave)];
      const Eigen::Index begin = c * kEvaluationChunk;
      const Eigen::Index count = std::min(kEvaluationChunk, n - begin);
      if (indices) {
        gather_columns(data, *indices, begin, begin + count, slot.features, slot.targets);
        slot.loss = objective.loss_and_gradient(params, slot.features, slot.targets, slot.grad);
      } else {
        slot.loss = objective.loss_and_gradient(params, data.features.middleCols(begin, count),
                                                data.targets.segment(begin, count), slot.grad);
      }
    });
    for (Eigen::Index c = wave; c < wave_end; ++c) {
      const Slot& slot = slots[static_cast<std::size_t>(c - wave)];
      const Eigen::Index count = std::min(kEvaluationChunk, n - c * kEvaluationChunk);
      const double weight = static_cast<double>(count) / static_cast<double>(n);
      loss += weight * static_cast<double>(slot.loss);
      grad += static_cast<Scalar>(weight) * slot.grad;
    }
  }
  return loss;
}

// Mean loss and accuracy over all samples of `data` (chunks in parallel as above).
template <class Scalar>
Evaluation chunked_evaluate(const Objective<Scalar>& objective,
                            const typename Objective<Scalar>::Vector& params,
                            const Dataset<Scalar>& data, int threads = 1) {
  const Eigen::Index n = data.num_samples();
  const Eigen::Index chunks = (n + kEvaluationChunk - 1) / kEvaluationChunk;
  std::vector<Evaluation> results(static_cast<std::size_t>(chunks));
  for_chunks(0, chunks, std::max(1, threads), [&](Eigen::Index c) {
    const Eigen::Index begin = c * kEvaluationChunk;
    const Eigen::Index count = std::min(kEvaluationChunk, n - begin);
    results[static_cast<std::size_t>(c)] = objective.evaluate(
        params, data.features.middleCols(begin, count), data.targets.segment(begin, count));
  });
  double loss_sum = 0.0;
  double correct = 0.0;  // a whole number: chunks report fractions of their own size
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index count = std::min(kEvaluationChunk, n - c * kEvaluationChunk);
    const Evaluation& chunk = results[static_cast<std::size_t>(c)];
    loss_sum += chunk.loss * static_cast<double>(count);
    correct += std::round(chunk.accuracy * static_cast<double>(count));  // stays NaN for regression
  }
  return {loss_sum / static_cast<double>(n), correct / static_cast<double>(n)};
}

}  // namespace sgdsim
