// In-memory data sets. Samples are columns of a column-major matrix, so a mini-batch gather copies
// contiguous memory and a model's forward pass is a matrix product W·X.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <stdexcept>
#include <string>

namespace sgdsim {

enum class Task { regression, binary, multiclass };

const char* to_string(Task task);

// The shape of an image sample: its features are the pixels in channel, row, column order (a
// C×H×W tensor flattened as PyTorch's NCHW tensors are).
struct ImageShape {
  Eigen::Index channels = 1;
  Eigen::Index height = 1;
  Eigen::Index width = 1;

  Eigen::Index size() const { return channels * height * width; }
  bool operator==(const ImageShape&) const = default;
};

template <class Scalar>
struct Dataset {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Matrix features;                  // d × n, one sample per column
  Vector targets;                   // n: the regression target, or the class index 0..num_classes-1
  int num_classes = 0;              // 0 for regression, 2 for binary
  std::optional<ImageShape> image;  // image data (idx, cifar10): the samples' shape

  Eigen::Index num_samples() const { return features.cols(); }
  Eigen::Index num_features() const { return features.rows(); }
};

template <class Scalar>
struct TrainTestData {
  Dataset<Scalar> train;
  std::optional<Dataset<Scalar>> test;
};

// A data file that cannot be read or makes no sense; the message names the file and the place.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws DataError naming `test_path` when a model of `train` cannot be measured on `test`: another
// number of features, or (classification) a label that is not one of the training set's classes.
// Loaders read the two files independently, so nothing else checks this before a run starts.
template <class Scalar>
void check_test_fits_train(const Dataset<Scalar>& train, const Dataset<Scalar>& test,
                           const std::string& test_path);

}  // namespace sgdsim
