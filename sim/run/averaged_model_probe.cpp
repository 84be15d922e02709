#include "sim/run/averaged_model_probe.hpp"

#include "sim/algorithms/model_output.hpp"

namespace sgdsim {

template <class Scalar>
void AveragedModelProbe<Scalar>::snapshot(int worker, std::int64_t step) {
  if (algorithm_.reports_consensus()) return;
  const WorkerRange& local = algorithm_.local_workers();
  auto& slots = snapshots_[step];
  if (slots.empty()) slots.resize(local.count);
  slots[worker - local.first] = algorithm_.replica(worker);
}

template <class Scalar>
typename AveragedModelProbe<Scalar>::Vector AveragedModelProbe<Scalar>::averaged_model(
    std::int64_t step) {
  if (algorithm_.reports_consensus()) return algorithm_.consensus();
  if (auto it = snapshots_.find(step); it != snapshots_.end()) {
    std::vector<int> everyone(algorithm_.workers());
    for (int w = 0; w < algorithm_.workers(); ++w) everyone[w] = w;
    std::vector<double> weights = algorithm_.average_weights();
    std::vector<const Vector*> local;
    for (const Vector& snapshot : it->second) local.push_back(&snapshot);
    Vector mean(algorithm_.consensus().size());
    algorithm_.communicator().average(everyone, weights, local, mean);
    snapshots_.erase(it);
    return mean;
  }
  if (step == algorithm_.consensus_step()) return algorithm_.consensus();
  return algorithm_.average_of_replicas();
}

template <class Scalar>
ModelMetrics AveragedModelProbe<Scalar>::measure(std::int64_t step, MeasureScope scope) {
  const Vector average = averaged_model(step);
  if (!evaluates_) return {};
  const TrainingProblem<Scalar>& problem = algorithm_.problem();
  return measure_model(*problem.objective, problem.evaluation_set(), problem.data->test, average,
                       problem.threads, problem.measure_grad_norm, scope);
}

template <class Scalar>
std::vector<double> AveragedModelProbe<Scalar>::final_model() const {
  const Vector& model = algorithm_.consensus();
  return {model.data(), model.data() + model.size()};
}

template <class Scalar>
void AveragedModelProbe<Scalar>::write_model(std::ostream& out) const {
  write_parameters(out, algorithm_.consensus());
}

template class AveragedModelProbe<float>;
template class AveragedModelProbe<double>;

}  // namespace sgdsim
