#include "sim/calibration/link_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sgdsim {
namespace {

constexpr double kProbeBytes = 1e6;
constexpr double kNoSlopeBytesPerSecond = 1e18;

double collective_seconds(const NetworkSpec& spec, int workers, Link link, double bytes) {
  NetworkSpec probe = spec;
  probe.by_size.clear();
  probe.link = link;
  probe.server.reset();
  Network network(probe, workers);
  return network.allreduce_cost(all_workers(workers), bytes)->duration.seconds();
}

}  // namespace

CollectiveTerms collective_terms(const NetworkSpec& spec, int workers) {
  if (spec.topology == "two_level") {
    throw std::invalid_argument("calibration fits switch and ring topologies, not two_level");
  }
  CollectiveTerms terms;
  // α = 1 s with no transfer time; then β = 1 MB/s without latency: T/S = c_β / β.
  terms.latency_terms =
      collective_seconds(spec, workers, {SimTime::from_seconds(1.0), 1e300}, kProbeBytes);
  terms.bandwidth_terms =
      collective_seconds(spec, workers, {SimTime::zero(), kProbeBytes}, kProbeBytes);
  return terms;
}

std::vector<SizeBand> bands_from_fit(const PiecewiseFit& fit, const NetworkSpec& spec,
                                     int workers) {
  const CollectiveTerms terms = collective_terms(spec, workers);
  std::vector<SizeBand> bands;
  for (const LinePiece& piece : fit.pieces) {
    SizeBand band;  // rounded as the cluster file writes it, so that the check sees that
    band.up_to_bytes = std::isinf(piece.up_to_bytes) ? piece.up_to_bytes
                                                     : std::max(1.0, std::round(piece.up_to_bytes));
    band.link.latency = terms.latency_terms > 0
                            ? SimTime::from_seconds(piece.intercept_s / terms.latency_terms)
                            : SimTime::zero();
    band.link.bytes_per_second = piece.seconds_per_byte > 0
                                     ? terms.bandwidth_terms / piece.seconds_per_byte
                                     : kNoSlopeBytesPerSecond;
    band.link.bytes_per_second = std::stod(fmt::format("{:.6g}", band.link.bytes_per_second));
    bands.push_back(band);
  }
  return bands;
}

PredictionCheck check_prediction(const PiecewiseFit& fit, const NetworkSpec& banded, int workers) {
  Network network(banded, workers);
  PredictionCheck check;
  const std::vector<int> everyone = all_workers(workers);
  for (int i = 0; i < static_cast<int>(fit.points.size()); ++i) {
    const TimingPoint& p = fit.points[i];
    const double predicted = network.allreduce_cost(everyone, p.bytes)->duration.seconds();
    check.predicted_s.push_back(predicted);
    const double error = std::abs(predicted - p.seconds) / p.seconds;
    if (error > check.max_relative_error) {
      check.max_relative_error = error;
      check.worst_point = i;
    }
  }
  return check;
}

}  // namespace sgdsim
