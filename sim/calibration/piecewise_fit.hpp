// Piecewise α–β fits of measured collective times: T(S) = a + b·S on each size band, the bands
// chosen where MPI changes algorithm with the message size (one line fits neither end then).
// Fitted by least squares on relative residuals, since the times span orders of magnitude.
#pragma once

#include <limits>
#include <vector>

namespace sgdsim {

struct TimingPoint {
  double bytes = 0.0;
  double seconds = 0.0;
};

struct LinePiece {
  double up_to_bytes = std::numeric_limits<double>::infinity();  // the last piece: unbounded
  double intercept_s = 0.0;                                      // a ≥ 0
  double seconds_per_byte = 0.0;                                 // b ≥ 0
  int first_point = 0;  // the fitted points (indices into the sorted points), inclusive
  int last_point = 0;

  double predict(double bytes) const { return intercept_s + seconds_per_byte * bytes; }
};

struct PiecewiseFit {
  std::vector<TimingPoint> points;     // sorted by size
  std::vector<LinePiece> pieces;       // in rising up_to_bytes
  double r_squared_log = 0.0;          // R² of log(time): 1 − SS_res / SS_tot on log scale
  double max_relative_residual = 0.0;  // max |T̂ − T| / T over the points
  int worst_point = 0;

  double predict(double bytes) const;
};

struct PiecewiseFitOptions {
  int max_pieces = 6;
  int min_points_per_piece = 3;
  // The fewest pieces whose largest relative residual is at most this win; if none, the number
  // of pieces with the lowest Bayesian information criterion (noise is not worth a band).
  double tolerance = 0.03;
};

// Throws std::invalid_argument with fewer than 2 points, or a size or time that is not > 0.
PiecewiseFit fit_piecewise(std::vector<TimingPoint> points, const PiecewiseFitOptions& options);

}  // namespace sgdsim
