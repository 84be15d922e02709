#include "sim/calibration/cluster_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/scenario/units.hpp"

namespace sgdsim {
namespace {

std::string hosts_summary(const std::vector<std::string>& hosts) {
  std::map<std::string, int> ranks_on;
  for (const std::string& h : hosts) ++ranks_on[h];
  std::string text;
  for (const auto& [host, count] : ranks_on) {
    text += fmt::format("{}{} ({} rank{})", text.empty() ? "" : ", ", host, count,
                        count == 1 ? "" : "s");
  }
  return text;
}

std::string percent(double fraction) {
  return fmt::format("{:.2f} %", 100.0 * fraction);
}

void write_network(std::string& out, const NetworkCalibration& n, int ranks) {
  const PiecewiseFit& fit = n.fit;
  out += fmt::format(
      "# Network: MPI_Allreduce (in place, sum) on {} ranks at {} sizes from {} to {}; the "
      "median\n#   over batches of the slowest rank's time per call. Fitted as T = a + b*S in "
      "{} size band{}\n#   (least squares on relative residuals), turned into the link alpha "
      "and beta that make\n#   sgdsim's {} on a {} give those times:\n",
      ranks, fit.points.size(), format_size(fit.points.front().bytes),
      format_size(fit.points.back().bytes), fit.pieces.size(), fit.pieces.size() == 1 ? "" : "s",
      n.network.collective, n.network.topology);
  for (const LinePiece& piece : fit.pieces) {
    out += fmt::format(
        "#   {:>12}: a = {:.3f} us, b = {:.4g} ns/B ({} points, {} to {})\n",
        std::isinf(piece.up_to_bytes) ? "rest" : "up to " + format_size(piece.up_to_bytes),
        piece.intercept_s * 1e6, piece.seconds_per_byte * 1e9,
        piece.last_point - piece.first_point + 1, format_size(fit.points[piece.first_point].bytes),
        format_size(fit.points[piece.last_point].bytes));
  }
  out += fmt::format(
      "#   Fit: R^2 of log(time) {:.5f}; largest residual {} at {}.\n"
      "#   Check: sgdsim predicts every measured size within {} (worst at {}); the stated limit "
      "is {}{}.\n",
      fit.r_squared_log, percent(fit.max_relative_residual),
      format_size(fit.points[fit.worst_point].bytes), percent(n.check.max_relative_error),
      format_size(fit.points[n.check.worst_point].bytes), percent(n.check_limit),
      n.check.max_relative_error <= n.check_limit ? "" : ": EXCEEDED, read the CSV");
}

void write_compute(std::string& out, const ComputeCalibration& c, int ranks,
                   const std::string& steps_csv) {
  const StepTimeFit& f = c.fit;
  out += fmt::format(
      "# Compute: {}: {} local steps on each of {} ranks at once (the first {} of each left "
      "out),\n#   {} samples in {}: mean {:.4f} ms, median {:.4f} ms, cv {:.3f}.\n"
      "#   Lognormal fit: mean {:.4f} ms, sigma {:.4f}; Kolmogorov-Smirnov distance {:.3f}.\n",
      c.what, c.steps_per_worker, ranks, c.warmup_steps, f.samples, steps_csv,
      f.sample_mean_s * 1e3, f.median_s * 1e3, f.sample_cv, f.lognormal_mean_s * 1e3,
      f.lognormal_sigma, f.ks_distance);
}

}  // namespace

std::string cluster_file_text(const Calibration& c, const std::string& steps_csv) {
  std::string out =
      fmt::format("# Calibrated by `{}`\n#   on {}, {} rank{} on {}.\n", c.command, c.created_utc,
                  c.ranks, c.ranks == 1 ? "" : "s", hosts_summary(c.hosts));
  if (c.network) write_network(out, *c.network, c.ranks);
  if (c.compute) write_compute(out, *c.compute, c.ranks, steps_csv);
  out += fmt::format("description: calibrated on {}, {}\nworkers: {}\n", hosts_summary(c.hosts),
                     c.created_utc, c.ranks);
  if (c.compute) {
    out += fmt::format("compute: {{kind: empirical, path: {}, mode: resample}}\n", steps_csv);
    out += fmt::format(
        "# or the fitted distribution: compute: {{kind: lognormal, mean: {}, "
        "sigma: {:.4f}}}\n",
        format_duration(SimTime::from_seconds(c.compute->fit.lognormal_mean_s)),
        c.compute->fit.lognormal_sigma);
  }
  if (c.network) {
    const NetworkSpec& n = c.network->network;
    out += fmt::format("network:\n  topology: {}\n  collective: {}\n  by_size:\n", n.topology,
                       n.collective);
    for (const SizeBand& band : n.by_size) {
      out += "    - {";
      if (!std::isinf(band.up_to_bytes)) {
        out += fmt::format("up_to: {}B, ", band.up_to_bytes);
      }
      out += fmt::format("latency: {}, bandwidth: {:.6g}GB/s}}\n",
                         format_duration(band.link.latency), band.link.bytes_per_second / 1e9);
    }
  }
  return out;
}

std::string step_times_csv(const std::vector<double>& seconds) {
  std::string out = "step_time_s\n";
  for (double s : seconds) out += fmt::format("{}\n", s);
  return out;
}

std::string collective_times_csv(const NetworkCalibration& n) {
  std::string out = "bytes,measured_s,fitted_s,predicted_s,error\n";
  for (std::size_t i = 0; i < n.fit.points.size(); ++i) {
    const TimingPoint& p = n.fit.points[i];
    const double predicted = n.check.predicted_s[i];
    out += fmt::format("{},{},{},{},{:.5f}\n", p.bytes, p.seconds, n.fit.predict(p.bytes),
                       predicted, (predicted - p.seconds) / p.seconds);
  }
  return out;
}

}  // namespace sgdsim
