#include "models/data/augment.hpp"

#include <stdexcept>
#include <string>

namespace sgdsim {

template <class Scalar>
void augment_images(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& batch,
                    const ImageShape& shape, const AugmentSpec& spec, Rng& rng) {
  if (!spec.enabled()) return;
  if (batch.rows() != shape.size()) {
    throw std::invalid_argument("augment: a sample of " + std::to_string(batch.rows()) +
                                " features is not a " + std::to_string(shape.channels) + "x" +
                                std::to_string(shape.height) + "x" + std::to_string(shape.width) +
                                " image");
  }
  const Eigen::Index height = shape.height;
  const Eigen::Index width = shape.width;
  const Eigen::Index padding = spec.crop_padding;
  const auto offsets = static_cast<std::uint64_t>(2 * padding + 1);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> source(batch.rows());
  for (Eigen::Index sample = 0; sample < batch.cols(); ++sample) {
    Eigen::Index dy = 0;
    Eigen::Index dx = 0;
    if (padding > 0) {
      dy = static_cast<Eigen::Index>(rng.uniform_index(offsets)) - padding;
      dx = static_cast<Eigen::Index>(rng.uniform_index(offsets)) - padding;
    }
    const bool mirror = spec.flip && rng.uniform_index(2) == 1;
    if (dy == 0 && dx == 0 && !mirror) continue;
    source = batch.col(sample);
    auto out = batch.col(sample);
    for (Eigen::Index c = 0; c < shape.channels; ++c) {
      const Eigen::Index plane = c * height * width;
      for (Eigen::Index i = 0; i < height; ++i) {
        const Eigen::Index si = i + dy;
        const bool row_inside = si >= 0 && si < height;
        for (Eigen::Index j = 0; j < width; ++j) {
          const Eigen::Index sj = (mirror ? width - 1 - j : j) + dx;
          out[plane + i * width + j] =
              row_inside && sj >= 0 && sj < width ? source[plane + si * width + sj] : Scalar(0);
        }
      }
    }
  }
}

template void augment_images<float>(Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>&,
                                    const ImageShape&, const AugmentSpec&, Rng&);
template void augment_images<double>(Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>&,
                                     const ImageShape&, const AugmentSpec&, Rng&);

}  // namespace sgdsim
