#include "models/nn/conv2d_onednn.hpp"

#include <omp.h>

#include <map>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <unordered_map>
#include <utility>

namespace sgdsim::nn::onednn {
namespace {

using dnnl::memory;
using Args = std::unordered_map<int, memory>;

// oneDNN's CPU runtime here is OpenMP (Debian's libdnnl2 links libgomp): a primitive runs on
// omp_get_max_threads() threads and fixes its work split (hence its summation order) when it is
// created. Held at 1 around every call, each call runs on its caller's thread alone and gives the
// same bytes however many threads sgdsim runs; the caller's own setting is restored after.
class OnCallingThreadOnly {
 public:
  OnCallingThreadOnly() : previous_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OnCallingThreadOnly() { omp_set_num_threads(previous_); }
  OnCallingThreadOnly(const OnCallingThreadOnly&) = delete;
  OnCallingThreadOnly& operator=(const OnCallingThreadOnly&) = delete;

 private:
  int previous_;
};

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A thread's engine, stream and scratchpad. The scratchpad is the caller's (user mode) so that no
// two threads can ever share one, and one buffer serves every primitive of the thread.
struct ThreadContext {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  memory scratch;

  void reserve_scratchpad(const dnnl::primitive_desc_base& pd) {
    const std::size_t bytes = pd.scratchpad_desc().get_size();
    if (bytes > 0 && (!scratch || scratch.get_desc().get_size() < bytes)) {
      scratch = memory(memory::desc({static_cast<memory::dim>(bytes)}, memory::data_type::u8,
                                    memory::format_tag::x),
                       engine);
    }
  }
  void add_scratchpad(Args& args, const dnnl::primitive_desc_base& pd) const {
    if (pd.scratchpad_desc().get_size() == 0) return;
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 memory(pd.scratchpad_desc(), engine, scratch.get_data_handle()));
  }
};

// One argument of a primitive: sgdsim's tensor, and a buffer in the layout the primitive chose
// where that differs (then reordered into it before the call, or out of it after).
class Operand {
 public:
  Operand(ThreadContext& c, const memory::desc& user, const memory::desc& inner)
      : user_(user), inner_(inner) {
    if (inner == user) return;
    buffer_ = memory(inner, c.engine);
    to_inner_ = dnnl::reorder(dnnl::reorder::primitive_desc(c.engine, user, c.engine, inner));
    to_user_ = dnnl::reorder(dnnl::reorder::primitive_desc(c.engine, inner, c.engine, user));
  }

  const memory::desc& inner_desc() const { return inner_; }

  // The memory to pass for the input at `data`.
  memory read(ThreadContext& c, const float* data) {
    memory source(user_, c.engine, const_cast<float*>(data));
    if (!buffer_) return source;
    to_inner_.execute(c.stream, source, buffer_);
    return buffer_;
  }
  // The memory to pass for an output going to `data`; store() then puts it there.
  memory write(ThreadContext& c, float* data) {
    return buffer_ ? buffer_ : memory(user_, c.engine, data);
  }
  void store(ThreadContext& c, float* data) {
    if (!buffer_) return;
    memory target(user_, c.engine, data);
    to_user_.execute(c.stream, buffer_, target);
  }

 private:
  memory::desc user_, inner_;
  memory buffer_;  // empty when the primitive takes sgdsim's layout as it is
  dnnl::reorder to_inner_, to_user_;
};

struct UserLayouts {
  memory::desc input, output, weights, bias;
  memory::dims strides, padding;

  explicit UserLayouts(const ConvGeometry& g) {
    const auto f32 = memory::data_type::f32;
    // CNHW (layer.hpp): element (n, c, y, x) at c·N·H·W + n·H·W + y·W + x.
    const auto channel_major = [&](std::int64_t channels, std::int64_t height, std::int64_t width) {
      return memory::desc({g.batch, channels, height, width}, f32,
                          {height * width, g.batch * height * width, width, 1});
    };
    input = channel_major(g.in_channels, g.in_height, g.in_width);
    output = channel_major(g.out_channels, g.out_height, g.out_width);
    weights = memory::desc({g.out_channels, g.in_channels, g.kernel, g.kernel}, f32,
                           memory::format_tag::oihw);
    if (g.bias) bias = memory::desc({g.out_channels}, f32, memory::format_tag::x);
    strides = {g.stride, g.stride};
    // The right padding as PyTorch's: oneDNN takes ⌊(H + 2p − k)/s⌋ + 1 outputs too.
    padding = {g.padding, g.padding};
  }
};

memory::desc any_layout(const memory::desc& like) {
  return memory::desc(like.dims(), memory::data_type::f32, memory::format_tag::any);
}

struct Forward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward primitive;
  Operand src, weights, dst;

  Forward(ThreadContext& c, const UserLayouts& u)
      : pd(dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                           dnnl::algorithm::convolution_direct, any_layout(u.input),
                                           any_layout(u.weights), u.bias, any_layout(u.output),
                                           u.strides, u.padding, u.padding),
           user_scratchpad(), c.engine),
        primitive(pd),
        src(c, u.input, pd.src_desc()),
        weights(c, u.weights, pd.weights_desc()),
        dst(c, u.output, pd.dst_desc()) {
    c.reserve_scratchpad(pd);
  }
};

struct Backward {
  dnnl::convolution_backward_weights::primitive_desc weights_pd;
  dnnl::convolution_backward_weights weights_primitive;
  Operand src, weights_diff_dst, diff_weights;
  dnnl::convolution_backward_data::primitive_desc data_pd;
  dnnl::convolution_backward_data data_primitive;
  Operand data_diff_dst, weights, diff_src;

  Backward(ThreadContext& c, const UserLayouts& u, const Forward& hint)
      : weights_pd(
            dnnl::convolution_backward_weights::desc(
                dnnl::algorithm::convolution_direct, any_layout(u.input), any_layout(u.weights),
                u.bias, any_layout(u.output), u.strides, u.padding, u.padding),
            user_scratchpad(), c.engine, hint.pd),
        weights_primitive(weights_pd),
        src(c, u.input, weights_pd.src_desc()),
        weights_diff_dst(c, u.output, weights_pd.diff_dst_desc()),
        diff_weights(c, u.weights, weights_pd.diff_weights_desc()),
        data_pd(dnnl::convolution_backward_data::desc(
                    dnnl::algorithm::convolution_direct, any_layout(u.input), any_layout(u.weights),
                    any_layout(u.output), u.strides, u.padding, u.padding),
                user_scratchpad(), c.engine, hint.pd),
        data_primitive(data_pd),
        data_diff_dst(c, u.output, data_pd.diff_dst_desc()),
        weights(c, u.weights, data_pd.weights_desc()),
        diff_src(c, u.input, data_pd.diff_src_desc()) {
    c.reserve_scratchpad(weights_pd);
    c.reserve_scratchpad(data_pd);
  }
};

// Creating a primitive costs about as much as running it once, so each thread keeps its own per
// geometry (the batch size included): a step after the first creates nothing.
struct ConvPrimitives {
  UserLayouts layouts;
  std::optional<Forward> forward;
  std::optional<Backward> backward;
};

struct Cache {
  ThreadContext context;
  std::map<ConvGeometry, ConvPrimitives> convs;

  ConvPrimitives& of(const ConvGeometry& g) {
    auto it = convs.find(g);
    if (it == convs.end()) it = convs.emplace(g, ConvPrimitives{UserLayouts(g), {}, {}}).first;
    return it->second;
  }
  Forward& forward(ConvPrimitives& p) {
    if (!p.forward) p.forward.emplace(context, p.layouts);
    return *p.forward;
  }
  Backward& backward(ConvPrimitives& p) {
    if (!p.backward) p.backward.emplace(context, p.layouts, forward(p));
    return *p.backward;
  }
};

Cache& thread_cache() {
  thread_local Cache cache;
  return cache;
}

}  // namespace

void conv_forward(const ConvGeometry& g, const float* input, const float* weights,
                  const float* bias, float* output) {
  OnCallingThreadOnly one_thread;
  Cache& cache = thread_cache();
  ThreadContext& c = cache.context;
  Forward& f = cache.forward(cache.of(g));
  Args args{{DNNL_ARG_SRC, f.src.read(c, input)},
            {DNNL_ARG_WEIGHTS, f.weights.read(c, weights)},
            {DNNL_ARG_DST, f.dst.write(c, output)}};
  c.add_scratchpad(args, f.pd);
  if (g.bias)
    args.emplace(DNNL_ARG_BIAS, memory(f.pd.bias_desc(), c.engine, const_cast<float*>(bias)));
  f.primitive.execute(c.stream, args);
  f.dst.store(c, output);
  c.stream.wait();
}

void conv_backward(const ConvGeometry& g, const float* input, const float* weights,
                   const float* output_grad, float* weights_grad, float* bias_grad,
                   float* input_grad) {
  OnCallingThreadOnly one_thread;
  Cache& cache = thread_cache();
  ThreadContext& c = cache.context;
  Backward& b = cache.backward(cache.of(g));
  const memory diff_dst = b.weights_diff_dst.read(c, output_grad);
  Args args{{DNNL_ARG_SRC, b.src.read(c, input)},
            {DNNL_ARG_DIFF_DST, diff_dst},
            {DNNL_ARG_DIFF_WEIGHTS, b.diff_weights.write(c, weights_grad)}};
  c.add_scratchpad(args, b.weights_pd);
  if (g.bias)
    args.emplace(DNNL_ARG_DIFF_BIAS, memory(b.weights_pd.diff_bias_desc(), c.engine, bias_grad));
  b.weights_primitive.execute(c.stream, args);
  b.diff_weights.store(c, weights_grad);
  if (input_grad) {
    // Both primitives usually take d(output) in the same layout: reordered once then.
    const bool same_layout = b.data_diff_dst.inner_desc() == b.weights_diff_dst.inner_desc();
    Args data_args{
        {DNNL_ARG_DIFF_DST, same_layout ? diff_dst : b.data_diff_dst.read(c, output_grad)},
        {DNNL_ARG_WEIGHTS, b.weights.read(c, weights)},
        {DNNL_ARG_DIFF_SRC, b.diff_src.write(c, input_grad)}};
    c.add_scratchpad(data_args, b.data_pd);
    b.data_primitive.execute(c.stream, data_args);
    b.diff_src.store(c, input_grad);
  }
  c.stream.wait();
}

}  // namespace sgdsim::nn::onednn
