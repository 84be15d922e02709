#include "models/nn/pooling.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sgdsim::nn {
namespace {

// Calls visit(out_index, in_index) for every input pixel inside the window of every output
// pixel of one plane, windows in output order; padding positions are skipped.
template <class Visit>
void for_each_window(const ImageShape& in, const ImageShape& out, const PoolWindow& w,
                     Visit visit) {
  for (Eigen::Index y = 0; y < out.height; ++y) {
    for (Eigen::Index x = 0; x < out.width; ++x) {
      const Eigen::Index o = y * out.width + x;
      for (int ky = 0; ky < w.kernel; ++ky) {
        const Eigen::Index iy = y * w.stride - w.padding + ky;
        if (iy < 0 || iy >= in.height) continue;
        for (int kx = 0; kx < w.kernel; ++kx) {
          const Eigen::Index ix = x * w.stride - w.padding + kx;
          if (ix < 0 || ix >= in.width) continue;
          visit(o, iy * in.width + ix);
        }
      }
    }
  }
}

}  // namespace

ImageShape pooled_shape(const char* layer, ImageShape in, const PoolWindow& w) {
  if (w.kernel < 1 || w.stride < 1 || w.padding < 0) {
    throw std::invalid_argument(std::string(layer) +
                                " needs kernel and stride >= 1 and padding >= 0");
  }
  if (2 * w.padding > w.kernel) {
    throw std::invalid_argument("padding " + std::to_string(w.padding) +
                                " is more than half the kernel " + std::to_string(w.kernel));
  }
  if (in.height + 2 * w.padding < w.kernel || in.width + 2 * w.padding < w.kernel) {
    throw std::invalid_argument("a " + std::to_string(w.kernel) + "x" + std::to_string(w.kernel) +
                                " window does not fit the " + std::to_string(in.height) + "x" +
                                std::to_string(in.width) + " input");
  }
  return {in.channels, (in.height + 2 * w.padding - w.kernel) / w.stride + 1,
          (in.width + 2 * w.padding - w.kernel) / w.stride + 1};
}

template <class Scalar>
MaxPool<Scalar>::MaxPool(ImageShape input, PoolWindow window)
    : Layer<Scalar>(input, pooled_shape("max_pool", input, window)), window_(window) {}

template <class Scalar>
void MaxPool<Scalar>::forward(const LayerParams<Scalar>&, const Mat& input, Mode,
                              Tape<Scalar>& tape) const {
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index planes = input.rows() / in_plane * in.channels;
  tape.output.resize(input.rows() / in_plane * out_plane, in.channels);
  tape.indices.resize(static_cast<std::size_t>(tape.output.size()));
  for (Eigen::Index plane = 0; plane < planes; ++plane) {
    const Scalar* source = input.data() + plane * in_plane;
    Scalar* target = tape.output.data() + plane * out_plane;
    std::int32_t* where = tape.indices.data() + plane * out_plane;
    std::fill(where, where + out_plane, -1);
    for_each_window(in, out, window_, [&](Eigen::Index o, Eigen::Index i) {
      if (where[o] < 0 || source[i] > target[o]) {  // the first seeds the window
        target[o] = source[i];
        where[o] = static_cast<std::int32_t>(i);
      }
    });
  }
}

template <class Scalar>
void MaxPool<Scalar>::backward(const LayerParams<Scalar>&, const Mat& input, Tape<Scalar>& tape,
                               Mat& output_grad, Scalar*, Mat* input_grad) const {
  if (!input_grad) return;
  const Eigen::Index in_plane = plane_size(this->input_shape());
  const Eigen::Index out_plane = plane_size(this->output_shape());
  input_grad->setZero(input.rows(), input.cols());
  const Eigen::Index planes = output_grad.size() / out_plane;
  for (Eigen::Index plane = 0; plane < planes; ++plane) {
    Scalar* target = input_grad->data() + plane * in_plane;
    const Scalar* source = output_grad.data() + plane * out_plane;
    const std::int32_t* where = tape.indices.data() + plane * out_plane;
    for (Eigen::Index o = 0; o < out_plane; ++o) target[where[o]] += source[o];
  }
}

template <class Scalar>
AvgPool<Scalar>::AvgPool(ImageShape input, PoolWindow window)
    : Layer<Scalar>(input, pooled_shape("avg_pool", input, window)), window_(window) {}

template <class Scalar>
void AvgPool<Scalar>::forward(const LayerParams<Scalar>&, const Mat& input, Mode,
                              Tape<Scalar>& tape) const {
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index planes = input.rows() / in_plane * in.channels;
  const Scalar scale = Scalar(1) / static_cast<Scalar>(window_.kernel * window_.kernel);
  tape.output.setZero(input.rows() / in_plane * out_plane, in.channels);
  for (Eigen::Index plane = 0; plane < planes; ++plane) {
    const Scalar* source = input.data() + plane * in_plane;
    Scalar* target = tape.output.data() + plane * out_plane;
    for_each_window(in, out, window_,
                    [&](Eigen::Index o, Eigen::Index i) { target[o] += source[i]; });
    for (Eigen::Index o = 0; o < out_plane; ++o) target[o] *= scale;
  }
}

template <class Scalar>
void AvgPool<Scalar>::backward(const LayerParams<Scalar>&, const Mat& input, Tape<Scalar>&,
                               Mat& output_grad, Scalar*, Mat* input_grad) const {
  if (!input_grad) return;
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Scalar scale = Scalar(1) / static_cast<Scalar>(window_.kernel * window_.kernel);
  input_grad->setZero(input.rows(), input.cols());
  const Eigen::Index planes = output_grad.size() / out_plane;
  for (Eigen::Index plane = 0; plane < planes; ++plane) {
    Scalar* target = input_grad->data() + plane * in_plane;
    const Scalar* source = output_grad.data() + plane * out_plane;
    for_each_window(in, out, window_,
                    [&](Eigen::Index o, Eigen::Index i) { target[i] += scale * source[o]; });
  }
}

template <class Scalar>
void GlobalAvgPool<Scalar>::forward(const LayerParams<Scalar>&, const Mat& input, Mode,
                                    Tape<Scalar>& tape) const {
  const Eigen::Index plane = plane_size(this->input_shape());
  const Eigen::Index batch = input.rows() / plane;
  tape.output.resize(batch, input.cols());
  for (Eigen::Index c = 0; c < input.cols(); ++c) {
    tape.output.col(c) = input.col(c).reshaped(plane, batch).colwise().mean().transpose();
  }
}

template <class Scalar>
void GlobalAvgPool<Scalar>::backward(const LayerParams<Scalar>&, const Mat& input, Tape<Scalar>&,
                                     Mat& output_grad, Scalar*, Mat* input_grad) const {
  if (!input_grad) return;
  const Eigen::Index plane = plane_size(this->input_shape());
  const Eigen::Index batch = output_grad.rows();
  input_grad->resize(input.rows(), input.cols());
  const Scalar scale = Scalar(1) / static_cast<Scalar>(plane);
  for (Eigen::Index c = 0; c < input.cols(); ++c) {
    input_grad->col(c).reshaped(plane, batch).rowwise() = scale * output_grad.col(c).transpose();
  }
}

template class MaxPool<float>;
template class MaxPool<double>;
template class AvgPool<float>;
template class AvgPool<double>;
template class GlobalAvgPool<float>;
template class GlobalAvgPool<double>;

}  // namespace sgdsim::nn
