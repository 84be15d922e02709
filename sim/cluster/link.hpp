// A network link in the α–β model: a message of S bytes takes latency + S / bandwidth.
#pragma once

#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct Link {
  SimTime latency = SimTime::from_ns(50'000);
  double bytes_per_second = 1.25e9;  // 10 Gb/s

  bool operator==(const Link&) const = default;
};

}  // namespace sgdsim
