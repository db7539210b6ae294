#include "ops/conv_geometry.hpp"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"

namespace kiln {

namespace {

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// Reads an INTS attribute of `count` entries, all >= minimum, or `fallback` repeated.
std::vector<int64_t> spatial_attr(const Node& node, const char* key, size_t count, int64_t fallback,
                                  int64_t minimum) {
  std::vector<int64_t> v = node.attr_ints(key, std::vector<int64_t>(count, fallback));
  if (v.empty()) v.assign(count, fallback);  // some exporters write an empty list for default
  if (v.size() != count)
    throw Error(node.describe() + ": attribute " + quote_name(key) + " has " +
                std::to_string(v.size()) + " values, expected " + std::to_string(count));
  for (int64_t x : v)
    if (x < minimum)
      throw Error(node.describe() + ": attribute " + quote_name(key) + " = [" + join(v) +
                  "] must be >= " + std::to_string(minimum));
  return v;
}

std::string auto_pad_of(const Node& node) {
  std::string mode = node.attr_string("auto_pad", "NOTSET");
  if (mode != "NOTSET" && mode != "SAME_UPPER" && mode != "SAME_LOWER" && mode != "VALID")
    throw Error(node.describe() + ": unknown auto_pad " + quote_name(mode));
  return mode;
}

// The C kernels index windows with int32_t (start = o * stride - pad, taps * dilation, ...).
// `span` bounds every such coordinate on one axis; refuse geometries whose span does not fit so
// the kernels (also run by constant folding) never overflow.
void require_int32_window(const Node& node, size_t axis, std::initializer_list<int64_t> terms) {
  int64_t span = 0;
  for (int64_t t : terms) span = checked_add(node, span, t < 0 ? checked_sub(node, 0, t) : t);
  if (span > std::numeric_limits<int32_t>::max())
    throw UnsupportedError(node.describe() + ": pads, strides and dilations on spatial axis " +
                           std::to_string(axis) + " exceed the int32 range of kiln's kernels");
}

void check_rank(const Node& node, size_t rank) {
  if (rank < 1 || rank > kMaxWindowRank)
    throw Error(node.describe() + ": " + std::to_string(rank) +
                "-D spatial input unsupported (kiln handles 1-D to 3-D)");
}

}  // namespace

WindowGeometry forward_window(const Node& node, const std::vector<int64_t>& in,
                              const std::vector<int64_t>& kernel, bool ceil_mode) {
  const size_t rank = in.size();
  check_rank(node, rank);
  if (kernel.size() != rank)
    throw Error(node.describe() + ": kernel has " + std::to_string(kernel.size()) +
                " spatial dims but the input has " + std::to_string(rank));
  for (int64_t k : kernel)
    if (k < 1)
      throw Error(node.describe() + ": kernel size must be >= 1, got [" + join(kernel) + "]");
  WindowGeometry g;
  g.in = in;
  g.kernel = kernel;
  g.strides = spatial_attr(node, "strides", rank, 1, 1);
  g.dilations = spatial_attr(node, "dilations", rank, 1, 1);
  const std::string auto_pad = auto_pad_of(node);
  std::vector<int64_t> pads = spatial_attr(node, "pads", 2 * rank, 0, 0);
  g.pads_begin.assign(rank, 0);
  g.pads_end.assign(rank, 0);
  g.out.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    // Strides, dilations and pads come from the model unchecked: all arithmetic on them is
    // overflow-checked (ceil divisions are written without the overflowing `+ s - 1`).
    const int64_t extent =
        checked_add(node, checked_mul(node, kernel[i] - 1, g.dilations[i]), 1);  // dilated kernel
    const int64_t s = g.strides[i];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      g.out[i] = in[i] / s + (in[i] % s != 0 ? 1 : 0);
      const int64_t total = std::max<int64_t>(
          0,
          checked_sub(node, checked_add(node, checked_mul(node, g.out[i] - 1, s), extent), in[i]));
      g.pads_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.pads_end[i] = total - g.pads_begin[i];
      continue;
    }
    if (auto_pad == "NOTSET") {
      g.pads_begin[i] = pads[i];
      g.pads_end[i] = pads[i + rank];
    }
    const int64_t padded =
        checked_add(node, in[i], checked_add(node, g.pads_begin[i], g.pads_end[i]));
    if (padded < extent)
      throw Error(node.describe() + ": kernel extent " + std::to_string(extent) +
                  " on spatial axis " + std::to_string(i) + " exceeds the padded input size " +
                  std::to_string(padded));
    if (ceil_mode && auto_pad == "NOTSET") {
      const int64_t room = padded - extent;  // >= 0, checked above
      g.out[i] = room / s + (room % s != 0 ? 1 : 0) + 1;
      // The last window must start inside the input or its begin padding.
      if (checked_mul(node, g.out[i] - 1, s) >= in[i] + g.pads_begin[i]) --g.out[i];
    } else {
      g.out[i] = (padded - extent) / s + 1;
    }
    require_int32_window(node, i, {padded, extent, s, g.dilations[i]});
  }
  // Pooling kernels also count a window's taps (the product over axes) in int32_t.
  int64_t taps = 1;
  for (int64_t k : kernel) taps = checked_mul(node, taps, k);
  if (taps > std::numeric_limits<int32_t>::max())
    throw UnsupportedError(node.describe() + ": kernel [" + join(kernel) +
                           "] has more taps than kiln's kernels count in int32");
  return g;
}

WindowGeometry transposed_window(const Node& node, const std::vector<int64_t>& in,
                                 const std::vector<int64_t>& kernel) {
  const size_t rank = in.size();
  check_rank(node, rank);
  WindowGeometry g;
  g.in = in;
  g.kernel = kernel;
  g.strides = spatial_attr(node, "strides", rank, 1, 1);
  g.dilations = spatial_attr(node, "dilations", rank, 1, 1);
  const std::string auto_pad = auto_pad_of(node);
  const std::vector<int64_t> pads = spatial_attr(node, "pads", 2 * rank, 0, 0);
  const std::vector<int64_t> output_padding = spatial_attr(node, "output_padding", rank, 0, 0);
  std::vector<int64_t> output_shape = node.attr_ints("output_shape", {});
  // output_shape may list only the spatial dims or the full N, C, spatial... shape.
  if (output_shape.size() == rank + 2)
    output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != rank)
    throw Error(node.describe() + ": output_shape [" + join(output_shape) + "] does not match " +
                std::to_string(rank) + " spatial dims");
  g.pads_begin.assign(rank, 0);
  g.pads_end.assign(rank, 0);
  g.out.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t extent = checked_add(node, checked_mul(node, kernel[i] - 1, g.dilations[i]), 1);
    const int64_t s = g.strides[i];
    if (output_padding[i] >= std::max(s, g.dilations[i]))
      throw Error(node.describe() + ": output_padding " + std::to_string(output_padding[i]) +
                  " must be smaller than the stride or dilation on spatial axis " +
                  std::to_string(i));
    const int64_t full =
        checked_add(node, checked_add(node, checked_mul(node, s, in[i] - 1), output_padding[i]),
                    extent);  // output with no pads
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      g.out[i] = !output_shape.empty() ? output_shape[i] : checked_mul(node, in[i], s);
      const int64_t total = checked_sub(node, full, g.out[i]);
      // ONNX: SAME_UPPER puts the extra pad at the end, everything else at the beginning. The
      // total is negative when output_shape asks for more than the input covers; halving rounds
      // down (as the ONNX reference does), so the uncovered outputs end up at the end.
      const int64_t half = total / 2 - (total < 0 && total % 2 != 0 ? 1 : 0);  // floor(total / 2)
      g.pads_begin[i] = auto_pad == "SAME_UPPER" ? half : checked_sub(node, total, half);
      g.pads_end[i] = checked_sub(node, total, g.pads_begin[i]);
    } else {
      if (auto_pad == "NOTSET") {
        g.pads_begin[i] = pads[i];
        g.pads_end[i] = pads[i + rank];
      }
      g.out[i] = checked_sub(node, checked_sub(node, full, g.pads_begin[i]), g.pads_end[i]);
    }
    if (g.out[i] < 1)
      throw Error(node.describe() + ": output size " + std::to_string(g.out[i]) +
                  " on spatial axis " + std::to_string(i) + " is not positive");
    require_int32_window(node, i,
                         {full, g.pads_begin[i], g.pads_end[i], g.out[i], s, g.dilations[i]});
  }
  return g;
}

std::vector<int64_t> to_window3(const std::vector<int64_t>& values, int64_t fill) {
  std::vector<int64_t> result(kMaxWindowRank - values.size(), fill);
  result.insert(result.end(), values.begin(), values.end());
  return result;
}

void require_float32(const Node& node, const Tensor& tensor, const char* what) {
  if (tensor.dtype != DType::Float32)
    throw UnsupportedError(node.describe() + ": " + what + " " + quote_name(tensor.name) + " is " +
                           std::string(dtype_name(tensor.dtype)) +
                           "; kiln supports only float32 here");
}

void reject_activation(const Node& node) {
  if (node.activation.kind != Activation::None)
    throw InternalError(node.describe() +
                        ": a fused activation was attached to an op that cannot apply it");
}

void add_activation_args(KernelCall& call, const Node& node) {
  call.i(static_cast<int32_t>(node.activation.kind))
      .f(node.activation.alpha)
      .f(node.activation.beta);
}

}  // namespace kiln
