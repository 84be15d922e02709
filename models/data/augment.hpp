// Data augmentation of image mini-batches, as the paper's ResNet-20 CIFAR-10 runs use it:
// torchvision's RandomCrop(H×W, padding=P) followed by RandomHorizontalFlip().
#pragma once

#include <Eigen/Core>

#include "models/data/dataset.hpp"
#include "models/rng.hpp"

namespace sgdsim {

// data.augment. Disabled by default; enabled(), a mini-batch is changed as it is drawn.
struct AugmentSpec {
  int crop_padding = 0;  // P: pad with P zeros on every side, then take a random H×W window
  bool flip = false;     // mirror left-right with probability 1/2
  bool enabled() const { return crop_padding > 0 || flip; }
  bool operator==(const AugmentSpec&) const = default;
};

// Augments each column (sample) of `batch`, a d × b matrix of images of `shape` (d = C·H·W, in
// C, H, W order), independently: offsets (top, left) uniform in 0..2P, in that order, then a
// flip with probability 1/2 (each drawn only when its option is on, but always for every
// sample, so a sample's draws do not depend on its pixels):
//   out(c, i, j) = in(c, i + top − P, j' + left − P), j' = W−1−j if flipped else j,
// and 0 where that falls outside the image. Throws std::invalid_argument when d is not C·H·W.
template <class Scalar>
void augment_images(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& batch,
                    const ImageShape& shape, const AugmentSpec& spec, Rng& rng);

}  // namespace sgdsim
