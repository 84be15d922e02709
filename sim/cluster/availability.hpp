// When workers fail and come back: scheduled outages, and/or failures at a seeded exponential
// rate (mean time between failures) each followed by a fixed repair time.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/rng.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct ScheduledOutage {
  int worker = 0;
  SimTime start;
  SimTime duration;
};

struct AvailabilitySpec {
  std::vector<ScheduledOutage> outages;
  std::optional<SimTime>
      mean_time_between_failures;  // per worker, exponential; none: no random failures
  SimTime repair_time = SimTime::from_ns(10'000'000'000);  // downtime of a random failure

  bool enabled() const { return !outages.empty() || mean_time_between_failures.has_value(); }
};

struct Outage {
  SimTime start;
  SimTime duration;
};

class AvailabilityModel {
 public:
  AvailabilityModel(const AvailabilitySpec& spec, int workers, std::uint64_t seed);

  bool enabled() const { return enabled_; }
  // The first outage of `worker` starting at or after `after`, for a worker that is up from
  // `after` on; nullopt when it never fails again. Random failures are memoryless, so a random
  // failure time drawn earlier stays valid until it passes.
  std::optional<Outage> next_outage(int worker, SimTime after);

 private:
  bool enabled_;
  std::optional<SimTime> mtbf_;
  SimTime repair_time_;
  std::vector<std::vector<ScheduledOutage>> scheduled_;  // per worker, by start time
  std::vector<Rng> rngs_;
  std::vector<std::optional<SimTime>> next_random_;  // per worker, the pending random failure
};

}  // namespace sgdsim
