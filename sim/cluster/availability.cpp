#include "sim/cluster/availability.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sgdsim {

AvailabilityModel::AvailabilityModel(const AvailabilitySpec& spec, int workers, std::uint64_t seed)
    : enabled_(spec.enabled()),
      mtbf_(spec.mean_time_between_failures),
      repair_time_(spec.repair_time),
      scheduled_(workers),
      next_random_(workers) {
  for (const ScheduledOutage& outage : spec.outages) {
    if (outage.worker < 0 || outage.worker >= workers) {
      throw std::invalid_argument("an outage names a worker that does not exist");
    }
    scheduled_[outage.worker].push_back(outage);
  }
  for (auto& list : scheduled_) {
    std::sort(list.begin(), list.end(),
              [](const ScheduledOutage& a, const ScheduledOutage& b) { return a.start < b.start; });
  }
  rngs_.reserve(workers);
  for (int w = 0; w < workers; ++w) rngs_.emplace_back(derive_seed(seed, "failures", w));
}

std::optional<Outage> AvailabilityModel::next_outage(int worker, SimTime after) {
  std::optional<Outage> next;
  for (const ScheduledOutage& outage : scheduled_[worker]) {
    if (outage.start >= after) {
      next = Outage{outage.start, outage.duration};
      break;
    }
  }
  if (mtbf_) {
    std::optional<SimTime>& random = next_random_[worker];
    if (!random || *random < after) {
      const double gap = -mtbf_->seconds() * std::log(rngs_[worker].uniform_open_zero());
      random = after + SimTime::from_seconds(gap);
    }
    if (!next || *random < next->start) {
      next = Outage{*random, repair_time_};
      random.reset();  // used: the next random failure is drawn when the worker is up again
    }
  }
  return next;
}

}  // namespace sgdsim
