#include "sim/calibration/piecewise_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sgdsim {
namespace {

struct Line {
  double a = 0.0;
  double b = 0.0;
  double cost = 0.0;  // Σ ((a + b·S − T) / T)²
};

// Weighted least squares with weights 1/T², a and b kept ≥ 0.
Line fit_line(const std::vector<TimingPoint>& p, int first, int last) {
  double sw = 0, ss = 0, sss = 0, st = 0, sst = 0;
  for (int i = first; i <= last; ++i) {
    const double w = 1.0 / (p[i].seconds * p[i].seconds);
    sw += w;
    ss += w * p[i].bytes;
    sss += w * p[i].bytes * p[i].bytes;
    st += w * p[i].seconds;
    sst += w * p[i].bytes * p[i].seconds;
  }
  Line line;
  const double det = sw * sss - ss * ss;
  if (det > 1e-12 * sw * sss) {
    line.a = (sss * st - ss * sst) / det;
    line.b = (sw * sst - ss * st) / det;
  } else {
    line.a = -1.0;  // one size only: no slope to fit
  }
  if (line.a < 0.0 || line.b < 0.0) {
    // On the boundary: the better of a line through the origin and a constant.
    const Line through_origin{0.0, sst / sss, 0.0};
    const Line constant{st / sw, 0.0, 0.0};
    const auto cost = [&](const Line& l) {
      double c = 0;
      for (int i = first; i <= last; ++i) {
        const double r = (l.a + l.b * p[i].bytes - p[i].seconds) / p[i].seconds;
        c += r * r;
      }
      return c;
    };
    line = cost(through_origin) <= cost(constant) ? through_origin : constant;
  }
  for (int i = first; i <= last; ++i) {
    const double r = (line.a + line.b * p[i].bytes - p[i].seconds) / p[i].seconds;
    line.cost += r * r;
  }
  return line;
}

// The best split of the points into `pieces` contiguous runs (dynamic programming over the
// runs' last points), or an empty list when the points are too few.
std::vector<LinePiece> best_split(const std::vector<TimingPoint>& p, int pieces, int min_points) {
  const int n = static_cast<int>(p.size());
  if (pieces * min_points > n) return {};
  const double inf = std::numeric_limits<double>::infinity();
  // cost[k][j]: best cost of the first j points in k pieces; from[k][j]: where the last starts.
  std::vector<std::vector<double>> cost(pieces + 1, std::vector<double>(n + 1, inf));
  std::vector<std::vector<int>> from(pieces + 1, std::vector<int>(n + 1, -1));
  cost[0][0] = 0.0;
  for (int k = 1; k <= pieces; ++k) {
    for (int j = k * min_points; j <= n; ++j) {
      for (int i = (k - 1) * min_points; i + min_points <= j; ++i) {
        if (cost[k - 1][i] == inf) continue;
        const double c = cost[k - 1][i] + fit_line(p, i, j - 1).cost;
        if (c < cost[k][j]) {
          cost[k][j] = c;
          from[k][j] = i;
        }
      }
    }
  }
  std::vector<LinePiece> result(pieces);
  int end = n;
  for (int k = pieces; k >= 1; --k) {
    const int start = from[k][end];
    const Line line = fit_line(p, start, end - 1);
    result[k - 1] = {std::numeric_limits<double>::infinity(), line.a, line.b, start, end - 1};
    end = start;
  }
  // A band ends where its line meets the next one between their points, else halfway (on a
  // log scale) between the last point of one and the first of the next.
  for (int k = 0; k + 1 < pieces; ++k) {
    const LinePiece& l = result[k];
    const LinePiece& r = result[k + 1];
    const double lo = p[l.last_point].bytes, hi = p[r.first_point].bytes;
    double cross = -1.0;
    if (l.seconds_per_byte != r.seconds_per_byte) {
      cross = (r.intercept_s - l.intercept_s) / (l.seconds_per_byte - r.seconds_per_byte);
    }
    result[k].up_to_bytes = cross >= lo && cross < hi ? cross : std::sqrt(lo * hi);
  }
  return result;
}

}  // namespace

double PiecewiseFit::predict(double bytes) const {
  for (const LinePiece& piece : pieces) {
    if (bytes <= piece.up_to_bytes) return piece.predict(bytes);
  }
  return pieces.back().predict(bytes);
}

PiecewiseFit fit_piecewise(std::vector<TimingPoint> points, const PiecewiseFitOptions& options) {
  if (points.size() < 2) throw std::invalid_argument("a fit needs at least two sizes");
  for (const TimingPoint& t : points) {
    if (!(t.bytes > 0) || !(t.seconds > 0) || !std::isfinite(t.bytes) ||
        !std::isfinite(t.seconds)) {
      throw std::invalid_argument(fmt::format(
          "a timing of {} B in {} s: sizes and times must be above 0", t.bytes, t.seconds));
    }
  }
  std::sort(points.begin(), points.end(),
            [](const TimingPoint& x, const TimingPoint& y) { return x.bytes < y.bytes; });
  const int min_points =
      std::max(1, std::min(options.min_points_per_piece, static_cast<int>(points.size())));
  PiecewiseFit best;
  double best_bic = std::numeric_limits<double>::infinity();
  const double n = static_cast<double>(points.size());
  for (int pieces = 1; pieces <= std::max(1, options.max_pieces); ++pieces) {
    std::vector<LinePiece> split = best_split(points, pieces, min_points);
    if (split.empty()) break;
    PiecewiseFit fit;
    fit.points = points;
    fit.pieces = std::move(split);
    double mean_log = 0;
    for (const TimingPoint& t : points) mean_log += std::log(t.seconds) / points.size();
    double ss_res = 0, ss_tot = 0;
    for (int i = 0; i < static_cast<int>(points.size()); ++i) {
      const double predicted = fit.predict(points[i].bytes);
      const double relative = std::abs(predicted - points[i].seconds) / points[i].seconds;
      if (relative > fit.max_relative_residual) {
        fit.max_relative_residual = relative;
        fit.worst_point = i;
      }
      const double log_residual =
          predicted > 0 ? std::log(predicted) - std::log(points[i].seconds) : 1e3;
      ss_res += log_residual * log_residual;
      ss_tot += (std::log(points[i].seconds) - mean_log) * (std::log(points[i].seconds) - mean_log);
    }
    fit.r_squared_log = ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    if (fit.max_relative_residual <= options.tolerance) return fit;
    // Noisy points meet no tolerance: the Bayesian information criterion on the relative
    // residuals then weighs each band's two parameters against what it explains.
    double sse = 0;
    for (const TimingPoint& t : points) {
      const double r = (fit.predict(t.bytes) - t.seconds) / t.seconds;
      sse += r * r;
    }
    const double bic = n * std::log(std::max(sse / n, 1e-300)) + 2.0 * pieces * std::log(n);
    if (bic < best_bic) {
      best_bic = bic;
      best = fit;
    }
  }
  return best;
}

}  // namespace sgdsim
