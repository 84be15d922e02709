// From a fitted T(S) = a + b·S of the whole collective to the per-link α and β of the model
// sgdsim uses for it: on a switch or ring, a collective's time is linear in its links' latency
// and inverse bandwidth, T = c_α·α + c_β·S/β, with c_α and c_β fixed by the collective and the
// number of workers (e.g. ring allreduce: 2(R−1) and 2(R−1)/R).
#pragma once

#include <vector>

#include "sim/calibration/piecewise_fit.hpp"
#include "sim/cluster/network.hpp"

namespace sgdsim {

struct CollectiveTerms {
  double latency_terms = 0.0;    // c_α
  double bandwidth_terms = 0.0;  // c_β
};

// c_α and c_β of `spec`'s collective and topology (switch or ring) over `workers` workers,
// measured on the schedule sgdsim costs. Throws std::invalid_argument for two_level.
CollectiveTerms collective_terms(const NetworkSpec& spec, int workers);

// The size bands whose links make `spec`'s collective take the fitted times, rounded as a cluster
// file holds them (latency to the nanosecond, bandwidth to 6 digits, band ends to the byte). A
// piece without slope (b = 0) gets a bandwidth so high that it adds a nanosecond per gigabyte.
std::vector<SizeBand> bands_from_fit(const PiecewiseFit& fit, const NetworkSpec& spec, int workers);

struct PredictionCheck {
  std::vector<double> predicted_s;  // per fitted point, by sgdsim's Network with the bands
  double max_relative_error = 0.0;
  int worst_point = 0;
};

// What sgdsim then predicts at each measured size, against the measurement.
PredictionCheck check_prediction(const PiecewiseFit& fit, const NetworkSpec& banded, int workers);

}  // namespace sgdsim
