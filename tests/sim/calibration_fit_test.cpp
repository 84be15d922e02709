// The calibration's fits on synthetic timings whose α and β are known: recovered exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/calibration/link_fit.hpp"
#include "sim/calibration/piecewise_fit.hpp"
#include "sim/calibration/step_time_fit.hpp"

namespace {

using namespace sgdsim;

std::vector<double> sizes_8b_to_64mib() {
  std::vector<double> sizes;
  for (double s = 8; s <= 64.0 * 1024 * 1024; s *= 2) sizes.push_back(s);
  return sizes;
}

// T(S) = a + b·S on each band (up_to, a, b).
std::vector<TimingPoint> piecewise_times(const std::vector<LinePiece>& truth) {
  std::vector<TimingPoint> points;
  for (double s : sizes_8b_to_64mib()) {
    for (const LinePiece& piece : truth) {
      if (s <= piece.up_to_bytes) {
        points.push_back({s, piece.predict(s)});
        break;
      }
    }
  }
  return points;
}

// What sgdsim's own network model says the allreduce takes at each size: timings with known α, β.
std::vector<TimingPoint> modelled_times(const NetworkSpec& spec, int workers) {
  Network network(spec, workers);
  std::vector<TimingPoint> points;
  for (double s : sizes_8b_to_64mib()) {
    points.push_back({s, network.allreduce_cost(all_workers(workers), s)->duration.seconds()});
  }
  return points;
}

double inverse_normal_cdf(double p) {  // by bisection: exact enough for quantiles
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST_CASE("one line is recovered exactly, with R² 1 and no residual", "[sim][calibration]") {
  const double a = 25e-6, b = 8e-9;  // 25 µs, 125 MB/s
  const auto fit = fit_piecewise(piecewise_times({{INFINITY, a, b}}), {});
  REQUIRE(fit.pieces.size() == 1);
  CHECK(fit.pieces[0].intercept_s == Approx(a).epsilon(1e-9));
  CHECK(fit.pieces[0].seconds_per_byte == Approx(b).epsilon(1e-9));
  CHECK(std::isinf(fit.pieces[0].up_to_bytes));
  CHECK(fit.r_squared_log == Approx(1.0).epsilon(1e-12));
  CHECK(fit.max_relative_residual < 1e-9);
}

TEST_CASE("bands where MPI switches algorithm are found, each line recovered exactly",
          "[sim][calibration]") {
  // Small messages: latency-bound; middle: another algorithm; large: the ring's bandwidth.
  const std::vector<LinePiece> truth = {
      {3000, 4e-6, 2e-9}, {300000, 20e-6, 1e-9}, {INFINITY, 150e-6, 0.6e-9}};
  const auto points = piecewise_times(truth);
  const auto fit = fit_piecewise(points, {});
  REQUIRE(fit.pieces.size() == 3);
  for (int k = 0; k < 3; ++k) {
    CHECK(fit.pieces[k].intercept_s == Approx(truth[k].intercept_s).epsilon(1e-9));
    CHECK(fit.pieces[k].seconds_per_byte == Approx(truth[k].seconds_per_byte).epsilon(1e-9));
  }
  // The band ends lie between the last point of one band and the first of the next.
  CHECK(points[fit.pieces[0].last_point].bytes == 2048);
  CHECK(points[fit.pieces[1].first_point].bytes == 4096);
  CHECK(fit.pieces[0].up_to_bytes > 2048);
  CHECK(fit.pieces[0].up_to_bytes < 4096);
  CHECK(points[fit.pieces[1].last_point].bytes == 262144);
  CHECK(fit.max_relative_residual < 1e-9);
  // One line alone misses both ends by far more than the tolerance: the fit did not settle.
  const auto one = fit_piecewise(points, {1, 3, 0.03});
  CHECK(one.max_relative_residual > 0.3);
}

TEST_CASE("noise that no band can explain adds no band", "[sim][calibration]") {
  std::vector<TimingPoint> points;
  int i = 0;
  for (double s : sizes_8b_to_64mib()) {  // ±6 % alternating: above any 3 % tolerance
    points.push_back({s, (30e-6 + s * 1e-9) * (i++ % 2 ? 1.06 : 0.94)});
  }
  const auto fit = fit_piecewise(points, {});
  CHECK(fit.pieces.size() == 1);
  CHECK(fit.pieces[0].seconds_per_byte == Approx(1e-9).epsilon(0.02));
  CHECK(fit.max_relative_residual < 0.08);
}

TEST_CASE("a fit refuses sizes or times that are not above 0", "[sim][calibration]") {
  CHECK_THROWS_AS(fit_piecewise({{8, 1e-6}}, {}), std::invalid_argument);
  CHECK_THROWS_AS(fit_piecewise({{8, 1e-6}, {16, 0.0}}, {}), std::invalid_argument);
  CHECK_THROWS_AS(fit_piecewise({{8, 1e-6}, {-16, 1e-6}}, {}), std::invalid_argument);
  CHECK_THROWS_AS(fit_piecewise({{8, 1e-6}, {16, NAN}}, {}), std::invalid_argument);
}

TEST_CASE("the link's α and β come back from times of sgdsim's own collectives",
          "[sim][calibration]") {
  for (const char* collective : {"ring_allreduce", "halving_doubling", "binary_tree"}) {
    for (int workers : {2, 4, 8}) {
      CAPTURE(collective, workers);
      NetworkSpec spec;
      spec.collective = collective;
      spec.link = {SimTime::from_ns(37'000), 1.25e8};  // 37 µs, 1 Gbit/s
      const auto fit = fit_piecewise(modelled_times(spec, workers), {});
      REQUIRE(fit.pieces.size() == 1);
      NetworkSpec fitted = spec;
      fitted.by_size = bands_from_fit(fit, spec, workers);
      REQUIRE(fitted.by_size.size() == 1);
      CHECK(fitted.by_size[0].link.latency.ns() == 37'000);
      CHECK(fitted.by_size[0].link.bytes_per_second == Approx(1.25e8).epsilon(1e-6));
      CHECK(check_prediction(fit, fitted, workers).max_relative_error < 1e-5);
    }
  }
}

TEST_CASE("ring allreduce's terms are its closed form: 2(R−1) latencies, 2(R−1)/R of S",
          "[sim][calibration]") {
  NetworkSpec spec;
  for (int r : {2, 3, 8}) {
    const CollectiveTerms terms = collective_terms(spec, r);
    CHECK(terms.latency_terms == Approx(2.0 * (r - 1)).epsilon(1e-9));
    CHECK(terms.bandwidth_terms == Approx(2.0 * (r - 1) / r).epsilon(1e-9));
  }
  spec.topology = "two_level";
  CHECK_THROWS_AS(collective_terms(spec, 4), std::invalid_argument);
}

TEST_CASE("two size bands of known links are recovered, and sgdsim then predicts every size",
          "[sim][calibration]") {
  NetworkSpec truth;
  truth.by_size = {{65536, {SimTime::from_ns(5'000), 1e9}},
                   {INFINITY, {SimTime::from_ns(90'000), 4e9}}};
  const int workers = 4;
  const auto fit = fit_piecewise(modelled_times(truth, workers), {});
  REQUIRE(fit.pieces.size() == 2);
  NetworkSpec fitted;
  fitted.by_size = bands_from_fit(fit, fitted, workers);
  CHECK(fitted.by_size[0].link.latency.ns() == 5'000);
  CHECK(fitted.by_size[0].link.bytes_per_second == Approx(1e9).epsilon(1e-6));
  CHECK(fitted.by_size[1].link.latency.ns() == 90'000);
  CHECK(fitted.by_size[1].link.bytes_per_second == Approx(4e9).epsilon(1e-6));
  CHECK(fitted.by_size[0].up_to_bytes >= 65536);
  CHECK(fitted.by_size[0].up_to_bytes < 131072);
  CHECK(check_prediction(fit, fitted, workers).max_relative_error < 1e-5);
}

TEST_CASE("a lognormal's mean and σ come back from its quantiles, at a small KS distance",
          "[sim][calibration]") {
  const double mu = std::log(0.02), sigma = 0.25;
  std::vector<double> samples;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    samples.push_back(std::exp(mu + sigma * inverse_normal_cdf((i + 0.5) / n)));
  }
  const StepTimeFit fit = fit_step_times(samples);
  CHECK(fit.samples == 2000);
  CHECK(fit.lognormal_sigma == Approx(sigma).epsilon(2e-3));
  CHECK(fit.lognormal_mean_s == Approx(std::exp(mu + sigma * sigma / 2)).epsilon(1e-3));
  CHECK(fit.median_s == Approx(0.02).epsilon(1e-3));
  CHECK(fit.ks_distance < 0.01);
  // Two clusters of step times are no lognormal: the distance says so.
  std::vector<double> bimodal(1000, 0.01);
  bimodal.insert(bimodal.end(), 1000, 0.03);
  CHECK(fit_step_times(bimodal).ks_distance > 0.2);
  const StepTimeFit constant = fit_step_times(std::vector<double>(10, 0.005));
  CHECK(constant.lognormal_sigma == 0.0);
  CHECK(constant.ks_distance == 0.0);
  CHECK_THROWS_AS(fit_step_times({}), std::invalid_argument);
  CHECK_THROWS_AS(fit_step_times({0.01, -1.0}), std::invalid_argument);
}
