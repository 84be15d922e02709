// data.augment's image operation against a hand-written reference: a window of the zero-padded
// image, then an optional left-right mirror (torchvision's RandomCrop(padding=P) and
// RandomHorizontalFlip()).
#include "models/data/augment.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <tuple>

namespace sgdsim {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<double, Eigen::Dynamic, 1>;

// Not square and not symmetric, so every crop and flip gives a different image.
const ImageShape kShape{2, 5, 7};

// An image whose pixels are all different and not 0: 1 + its index.
Vector distinct_image() {
  Vector image(kShape.size());
  for (Eigen::Index p = 0; p < image.size(); ++p) image[p] = 1.0 + static_cast<double>(p);
  return image;
}

// The reference: pixel (c, i, j) of the window at (top, left) of the image padded by P zeros,
// mirrored first if `flip` (out(c, i, j) = window(c, i, W−1−j)).
Vector cropped(const Vector& image, int padding, int top, int left, bool flip) {
  Vector out(image.size());
  const auto h = kShape.height, w = kShape.width;
  for (Eigen::Index c = 0; c < kShape.channels; ++c) {
    for (Eigen::Index i = 0; i < h; ++i) {
      for (Eigen::Index j = 0; j < w; ++j) {
        const Eigen::Index column = flip ? w - 1 - j : j;
        const Eigen::Index row_in = i + top - padding, col_in = column + left - padding;
        const bool inside = row_in >= 0 && row_in < h && col_in >= 0 && col_in < w;
        out[c * h * w + i * w + j] = inside ? image[c * h * w + row_in * w + col_in] : 0.0;
      }
    }
  }
  return out;
}

Matrix copies(const Vector& image, Eigen::Index count) {
  return image.replicate(1, count);
}

}  // namespace

TEST_CASE("augment with padding 0 and no flip is the identity", "[augment]") {
  Rng rng(1);
  Matrix batch = Matrix::Random(kShape.size(), 9);
  const Matrix before = batch;
  augment_images(batch, kShape, AugmentSpec{0, false}, rng);
  CHECK(batch == before);
  CHECK_FALSE(AugmentSpec{}.enabled());
  CHECK(AugmentSpec{1, false}.enabled());
  CHECK(AugmentSpec{0, true}.enabled());
}

TEST_CASE("a flip mirrors each row of each channel, for about half the samples", "[augment]") {
  const Vector image = distinct_image();
  const Vector mirrored = cropped(image, 0, 0, 0, true);
  // The reference itself: pixel (c, i, j) is the original's (c, i, W−1−j).
  CHECK(mirrored[0] == image[kShape.width - 1]);
  CHECK(mirrored[kShape.height * kShape.width + 2 * kShape.width + 1] ==
        image[kShape.height * kShape.width + 2 * kShape.width + kShape.width - 2]);
  Rng rng(7);
  Matrix batch = copies(image, 400);
  augment_images(batch, kShape, AugmentSpec{0, true}, rng);
  int flipped = 0;
  for (Eigen::Index s = 0; s < batch.cols(); ++s) {
    const bool same = batch.col(s) == image;
    const bool mirror = batch.col(s) == mirrored;
    CHECK((same || mirror));
    flipped += mirror ? 1 : 0;
  }
  CHECK(flipped > 150);  // binomial(400, 1/2): 200 ± 10
  CHECK(flipped < 250);
}

TEST_CASE("a crop is a window of the zero-padded image at an offset uniform in 0..2P",
          "[augment]") {
  const int padding = 2;
  const Vector image = distinct_image();
  Rng rng(11);
  Matrix batch = copies(image, 1000);
  augment_images(batch, kShape, AugmentSpec{padding, false}, rng);
  std::set<std::pair<int, int>> seen;
  for (Eigen::Index s = 0; s < batch.cols(); ++s) {
    int matches = 0;
    for (int top = 0; top <= 2 * padding; ++top) {
      for (int left = 0; left <= 2 * padding; ++left) {
        if (batch.col(s) == cropped(image, padding, top, left, false)) {
          ++matches;
          seen.insert({top, left});
        }
      }
    }
    CHECK(matches == 1);
  }
  CHECK(seen.size() == 25);  // each of the 25 offsets has chance 1/25 in each of 1000 draws
}

TEST_CASE("a crop moves a pixel by its offset and brings zeros in from the border", "[augment]") {
  const Vector image = distinct_image();
  const Vector shifted = cropped(image, 3, 0, 6, false);  // 3 rows down, 3 columns left
  const auto w = kShape.width;
  CHECK(shifted[3 * w + 0] == image[0 * w + 3]);  // input (0, 3) lands at (3, 0)
  CHECK(shifted[4 * w + 3] == image[1 * w + 6]);
  CHECK(shifted[0] == 0.0);          // rows 0..2 come from the padding
  CHECK(shifted[3 * w + 4] == 0.0);  // columns 4..6 too
  CHECK(shifted.head(3 * w).isZero());
}

TEST_CASE("crop and flip together give a mirrored window, each sample drawn independently",
          "[augment]") {
  const int padding = 4;
  const Vector image = distinct_image();
  Rng rng(5);
  Matrix batch = copies(image, 300);
  augment_images(batch, kShape, AugmentSpec{padding, true}, rng);
  std::set<std::tuple<int, int, bool>> seen;
  for (Eigen::Index s = 0; s < batch.cols(); ++s) {
    bool found = false;
    for (int top = 0; top <= 2 * padding && !found; ++top) {
      for (int left = 0; left <= 2 * padding && !found; ++left) {
        for (bool flip : {false, true}) {
          if (batch.col(s) == cropped(image, padding, top, left, flip)) {
            found = true;
            seen.insert({top, left, flip});
            break;
          }
        }
      }
    }
    CHECK(found);
  }
  CHECK(seen.size() > 100);  // of 162 outcomes; a shared draw per batch would give 1
}

TEST_CASE("the same seed gives the same augmented batch, another seed another", "[augment]") {
  const AugmentSpec spec{4, true};
  const ImageShape shape{3, 32, 32};
  const Matrix batch = Matrix::Random(shape.size(), 16);
  Matrix a = batch, b = batch, c = batch;
  Rng rng_a(derive_seed(3, "augment", 0)), rng_b(derive_seed(3, "augment", 0)),
      rng_c(derive_seed(3, "augment", 1));
  augment_images(a, shape, spec, rng_a);
  augment_images(b, shape, spec, rng_b);
  augment_images(c, shape, spec, rng_c);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a != batch);
}

TEST_CASE("augment refuses samples that are not images of the shape", "[augment]") {
  Rng rng(1);
  Matrix batch = Matrix::Zero(kShape.size() + 1, 2);
  CHECK_THROWS_AS(augment_images(batch, kShape, AugmentSpec{1, true}, rng), std::invalid_argument);
}

}  // namespace sgdsim
