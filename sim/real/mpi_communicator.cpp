#include "sim/real/mpi_communicator.hpp"

#include <algorithm>
#include <type_traits>

#include "sim/real/worker_layout.hpp"

namespace sgdsim {
namespace {

template <class Scalar>
MPI_Datatype mpi_type() {
  return std::is_same_v<Scalar, float> ? MPI_FLOAT : MPI_DOUBLE;
}

constexpr int kPartialSumTag = 17;

}  // namespace

template <class Scalar>
MpiCommunicator<Scalar>::MpiCommunicator(const MpiWorld& world, int workers, Reduction reduction)
    : world_(world), workers_(workers), reduction_(reduction) {}

template <class Scalar>
void MpiCommunicator<Scalar>::average(const std::vector<int>& participants,
                                      const std::vector<double>& weights,
                                      const std::vector<const Vector*>& local, Vector& mean) {
  const std::size_t n = participants.size();
  bool uniform = true;
  for (double w : weights) uniform = uniform && w == weights.front();
  // As InProcessCommunicator: one participant is itself; equal weights are the plain mean.
  const bool plain = n < 2 || uniform;
  std::vector<Scalar> scales;  // one per local participant; empty: 1
  if (!plain) {
    double total = 0.0;
    for (double w : weights) total += w;
    for (std::size_t i = 0; i < n; ++i) {
      if (rank_of_worker(participants[i], world_.size(), workers_) == world_.rank()) {
        scales.push_back(static_cast<Scalar>(weights[i] / total));
      }
    }
  }
  reduce(participants, local, scales, false, mean);
  if (plain && n >= 2) mean /= static_cast<Scalar>(n);
}

template <class Scalar>
void MpiCommunicator<Scalar>::sum(const std::vector<int>& participants,
                                  const std::vector<const Vector*>& local, Vector& sum) {
  reduce(participants, local, {}, true, sum);
}

template <class Scalar>
void MpiCommunicator<Scalar>::reduce(const std::vector<int>& participants,
                                     const std::vector<const Vector*>& local,
                                     const std::vector<Scalar>& scales, bool from_zero,
                                     Vector& result) {
  if (reduction_ == Reduction::ordered) {
    ordered_reduce(participants, local, scales, from_zero, result);
    return;
  }
  result.setZero();
  for (std::size_t i = 0; i < local.size(); ++i) {
    result += scales.empty() ? *local[i] : (scales[i] * *local[i]).eval();
  }
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, result.data(), static_cast<int>(result.size()),
                          mpi_type<Scalar>(), MPI_SUM, world_.comm()),
            "MPI_Allreduce");
}

// Rank r receives the sum so far iff a participant precedes its workers, adds its own terms in
// order, and passes it on unless it holds the last participant, which broadcasts the result.
template <class Scalar>
void MpiCommunicator<Scalar>::ordered_reduce(const std::vector<int>& participants,
                                             const std::vector<const Vector*>& local,
                                             const std::vector<Scalar>& scales, bool from_zero,
                                             Vector& result) {
  const int rank = world_.rank();
  const int ranks = world_.size();
  const int root = rank_of_worker(participants.back(), ranks, workers_);
  const WorkerRange mine = workers_of_rank(rank, ranks, workers_);
  const auto before = [&participants](int first_worker) {
    return participants.front() < first_worker;
  };
  const auto count = static_cast<int>(result.size());
  if (rank <= root) {
    bool started = from_zero;
    partial_.resize(result.size());
    if (from_zero) partial_.setZero();
    if (before(mine.first)) {
      check_mpi(MPI_Recv(partial_.data(), count, mpi_type<Scalar>(), rank - 1, kPartialSumTag,
                         world_.comm(), MPI_STATUS_IGNORE),
                "MPI_Recv");
      started = true;
    }
    for (std::size_t i = 0; i < local.size(); ++i) {
      if (!started) {
        partial_ = scales.empty() ? *local[i] : (scales[i] * *local[i]).eval();
        started = true;
      } else if (scales.empty()) {
        partial_ += *local[i];
      } else {
        partial_ += scales[i] * *local[i];
      }
    }
    if (rank < root && before(mine.first + mine.count)) {
      check_mpi(MPI_Send(partial_.data(), count, mpi_type<Scalar>(), rank + 1, kPartialSumTag,
                         world_.comm()),
                "MPI_Send");
    }
    if (rank == root) result = partial_;
  }
  check_mpi(MPI_Bcast(result.data(), count, mpi_type<Scalar>(), root, world_.comm()), "MPI_Bcast");
}

template <class Scalar>
std::vector<double> MpiCommunicator<Scalar>::sum_over_workers(std::span<const double> mine,
                                                              int width) {
  std::vector<int> counts(world_.size()), offsets(world_.size());
  for (int r = 0; r < world_.size(); ++r) {
    const WorkerRange range = workers_of_rank(r, world_.size(), workers_);
    counts[r] = range.count * width;
    offsets[r] = range.first * width;
  }
  std::vector<double> all(static_cast<std::size_t>(workers_) * width);
  check_mpi(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                           counts.data(), offsets.data(), MPI_DOUBLE, world_.comm()),
            "MPI_Allgatherv");
  std::vector<double> sums(width, 0.0);
  for (int w = 0; w < workers_; ++w) {
    for (int v = 0; v < width; ++v) sums[v] += all[static_cast<std::size_t>(w) * width + v];
  }
  return sums;
}

// Every rank gathers every model, then mixes its own workers' rows as InProcessCommunicator does.
template <class Scalar>
void MpiCommunicator<Scalar>::mix(const std::vector<MixingRow>& weights,
                                  const std::vector<Vector*>& local) {
  const auto d = static_cast<int>(local.front()->size());
  std::vector<Scalar> mine;
  mine.reserve(local.size() * d);
  for (const Vector* x : local) mine.insert(mine.end(), x->data(), x->data() + d);
  std::vector<int> counts(world_.size()), offsets(world_.size());
  for (int r = 0; r < world_.size(); ++r) {
    const WorkerRange range = workers_of_rank(r, world_.size(), workers_);
    counts[r] = range.count * d;
    offsets[r] = range.first * d;
  }
  std::vector<Scalar> all(static_cast<std::size_t>(workers_) * d);
  check_mpi(
      MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), mpi_type<Scalar>(), all.data(),
                     counts.data(), offsets.data(), mpi_type<Scalar>(), world_.comm()),
      "MPI_Allgatherv");
  const WorkerRange range = workers_of_rank(world_.rank(), world_.size(), workers_);
  Vector mixed(d);
  for (int k = 0; k < range.count; ++k) {
    mixed.setZero();
    for (const auto& [j, w] : weights[range.first + k]) {
      mixed += static_cast<Scalar>(w) *
               Eigen::Map<const Vector>(all.data() + static_cast<std::size_t>(j) * d, d);
    }
    *local[k] = mixed;
  }
}

template class MpiCommunicator<float>;
template class MpiCommunicator<double>;

}  // namespace sgdsim
