// The multi-versioned element-wise passes equal Eigen's expressions bit for bit (whichever
// version the CPU selected), at every length, tails included.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>

#include "models/elementwise.hpp"
#include "models/rng.hpp"

namespace {

template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> random_vector(Eigen::Index n, std::uint64_t seed) {
  sgdsim::Rng rng(seed);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<Scalar>(rng.normal() * 3.0);
  return v;
}

template <class Scalar>
void check_passes() {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  for (const Eigen::Index n : {0, 1, 15, 16, 17, 63, 1000, 101'770}) {
    INFO("n = " << n);
    const Vector x = random_vector<Scalar>(n, 1);
    const Vector y = random_vector<Scalar>(n, 2);
    const auto s = static_cast<Scalar>(0.0123);

    Vector expected = x;
    expected -= s * y;
    Vector got = x;
    sgdsim::elementwise::subtract_scaled(got.data(), y.data(), s, n);
    CHECK(got == expected);

    expected = x + y;
    got = x;
    sgdsim::elementwise::add(got.data(), y.data(), n);
    CHECK(got == expected);

    expected = x / static_cast<Scalar>(7);
    got = x;
    sgdsim::elementwise::divide(got.data(), static_cast<Scalar>(7), n);
    CHECK(got == expected);

    // 16 partial sums, element i in sum i mod 16, added up in lane order.
    Scalar lanes[16] = {};
    for (Eigen::Index i = 0; i < n; ++i) lanes[i % 16] += x[i];
    Scalar total = 0;
    for (Scalar lane : lanes) total += lane;
    CHECK(sgdsim::elementwise::sum(x.data(), n) == static_cast<double>(total));
  }
}

}  // namespace

TEST_CASE("element-wise passes equal Eigen's expressions bit for bit", "[models][elementwise]") {
  check_passes<float>();
  check_passes<double>();
}

TEST_CASE("the sum is not finite when an element is not", "[models][elementwise]") {
  Eigen::VectorXf x = Eigen::VectorXf::Ones(100);
  CHECK(std::isfinite(sgdsim::elementwise::sum(x.data(), x.size())));
  x[37] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(std::isfinite(sgdsim::elementwise::sum(x.data(), x.size())));
  x[37] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(sgdsim::elementwise::sum(x.data(), x.size())));
}
