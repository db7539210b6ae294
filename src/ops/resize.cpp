// Resize (opset 10..19 forms) and Upsample (opset 7/9, upgraded to Resize), float32. Modes
// nearest (any rank) and linear (bilinear on the last two axes). The coordinate transformation
// is evaluated here at compile time into per-axis index/weight tables, so the kernels only
// gather and blend.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_common.h"
}

namespace kiln {

namespace {

struct ResizePlan {
  std::string mode, transform, nearest_mode;
  Shape in, out;
  std::vector<double> scales;              // per axis, as the coordinate transform uses them
  std::vector<double> roi_start, roi_end;  // per axis, tf_crop_and_resize only
  float extrapolation = 0.0f;
};

void require_one_of(const Node& node, const char* attr, const std::string& value,
                    std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (value == a) return;
  throw Error(node.describe() + ": unknown " + attr + " " + quote_name(value));
}

// An optional input that is absent or an empty constant (opset 11 passes an empty `scales` when
// `sizes` is used).
bool present(const Node& node, const Graph& graph, size_t index) {
  if (!node.has_input(index)) return false;
  const Tensor& t = graph.tensor(node.inputs[index]);
  return !(t.constant && t.elements() == 0);
}

const Tensor& constant_input(const Node& node, const Graph& graph, size_t index, const char* what) {
  const Tensor& t = graph.tensor(node.inputs[index]);
  if (!t.constant)
    throw UnsupportedError(node.describe() + ": " + what + " " + quote_name(t.name) +
                           " must be a compile-time constant (kiln plans shapes statically)");
  return t;
}

ResizePlan resize_plan(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  require_float32(node, x, "input");
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  if (rank < 1 || rank > KILN_MAX_RANK)
    throw UnsupportedError(node.describe() + ": input rank " + std::to_string(rank) +
                           " unsupported");
  ResizePlan p;
  p.mode = node.attr_string("mode", "nearest");
  require_one_of(node, "mode", p.mode, {"nearest", "linear", "cubic"});
  p.transform = node.attr_string("coordinate_transformation_mode", "half_pixel");
  require_one_of(node, "coordinate_transformation_mode", p.transform,
                 {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                  "asymmetric", "tf_half_pixel_for_nearest", "tf_crop_and_resize"});
  p.nearest_mode = node.attr_string("nearest_mode", "round_prefer_floor");
  require_one_of(node, "nearest_mode", p.nearest_mode,
                 {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
  const std::string policy = node.attr_string("keep_aspect_ratio_policy", "stretch");
  require_one_of(node, "keep_aspect_ratio_policy", policy,
                 {"stretch", "not_larger", "not_smaller"});
  p.extrapolation = node.attr_float("extrapolation_value", 0.0f);

  std::vector<int64_t> axes = node.attr_ints("axes", {});
  if (axes.empty())
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  std::set<int64_t> seen;
  for (int64_t& a : axes) {
    a = normalize_axis(node, a, rank);
    if (!seen.insert(a).second)
      throw Error(node.describe() + ": axis " + std::to_string(a) + " repeated in 'axes'");
  }

  const bool has_scales = present(node, graph, 2), has_sizes = present(node, graph, 3);
  if (has_scales == has_sizes)
    throw Error(node.describe() + ": exactly one of 'scales' and 'sizes' must be given");
  p.in = x.shape;
  p.out = x.shape;
  p.scales.assign(rank, 1.0);
  if (has_scales) {
    const std::vector<float> scales = constant_input(node, graph, 2, "scales").as_float();
    if (scales.size() != axes.size())
      throw Error(node.describe() + ": 'scales' has " + std::to_string(scales.size()) +
                  " values for " + std::to_string(axes.size()) + " axes");
    for (size_t i = 0; i < axes.size(); ++i) {
      if (!(scales[i] > 0.0f))
        throw Error(node.describe() + ": scales must be positive, got " + number_text(scales[i]));
      const int64_t a = axes[i];
      p.scales[a] = scales[i];
      p.out[a] = checked_to_int64(node, std::floor(p.scales[a] * static_cast<double>(p.in[a])),
                                  "output size");
    }
  } else {
    const std::vector<int64_t> sizes = constant_input(node, graph, 3, "sizes").as_int64();
    if (sizes.size() != axes.size())
      throw Error(node.describe() + ": 'sizes' has " + std::to_string(sizes.size()) +
                  " values for " + std::to_string(axes.size()) + " axes");
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = axes[i];
      if (sizes[i] < 1 || p.in[a] < 1)
        throw Error(node.describe() + ": cannot resize axis " + std::to_string(a) + " of size " +
                    std::to_string(p.in[a]) + " to " + std::to_string(sizes[i]));
      p.out[a] = sizes[i];
      p.scales[a] = static_cast<double>(sizes[i]) / static_cast<double>(p.in[a]);
    }
    if (policy != "stretch") {
      // One scale for every resized axis, so the aspect ratio survives.
      double scale = p.scales[axes[0]];
      for (int64_t a : axes)
        scale =
            policy == "not_larger" ? std::min(scale, p.scales[a]) : std::max(scale, p.scales[a]);
      for (int64_t a : axes) {
        p.scales[a] = scale;
        p.out[a] =
            checked_to_int64(node, scale * static_cast<double>(p.in[a]) + 0.5, "output size");
      }
    }
  }
  for (int64_t a = 0; a < rank; ++a)
    if (p.out[a] < 1)
      throw Error(node.describe() + ": resizing " + shape_to_string(p.in) +
                  " gives an empty axis " + std::to_string(a));

  p.roi_start.assign(rank, 0.0);
  p.roi_end.assign(rank, 1.0);
  if (p.transform == "tf_crop_and_resize") {
    if (!present(node, graph, 1))
      throw Error(node.describe() + ": tf_crop_and_resize needs the 'roi' input");
    const std::vector<float> roi = constant_input(node, graph, 1, "roi").as_float();
    if (roi.size() != 2 * axes.size())
      throw Error(node.describe() + ": 'roi' has " + std::to_string(roi.size()) +
                  " values, expected " + std::to_string(2 * axes.size()));
    for (size_t i = 0; i < axes.size(); ++i) {
      p.roi_start[axes[i]] = roi[i];
      p.roi_end[axes[i]] = roi[i + axes.size()];
    }
  }
  return p;
}

// Source coordinate of output coordinate `o` along `axis`; NaN when it falls outside the region
// of interest (tf_crop_and_resize extrapolates there). Mirrors the ONNX definition, including
// its use of the unrounded resized length (scale * input length).
double source_coordinate(const ResizePlan& p, size_t axis, int64_t o) {
  const double x = static_cast<double>(o);
  const double scale = p.scales[axis];
  const double in = static_cast<double>(p.in[axis]);
  const double resized = scale * in;
  const std::string& t = p.transform;
  if (t == "align_corners") return resized == 1.0 ? 0.0 : x * (in - 1.0) / (resized - 1.0);
  if (t == "asymmetric") return x / scale;
  if (t == "tf_half_pixel_for_nearest") return (x + 0.5) / scale;
  if (t == "pytorch_half_pixel") return resized == 1.0 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (t == "half_pixel_symmetric") {
    const double adjustment = static_cast<double>(p.out[axis]) / resized;
    const double offset = in / 2.0 * (1.0 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  if (t == "tf_crop_and_resize") {
    const double span = p.roi_end[axis] - p.roi_start[axis];
    double src = resized == 1.0 ? span * (in - 1.0) / 2.0 : x * span * (in - 1.0) / (resized - 1.0);
    src += p.roi_start[axis] * (in - 1.0);
    return (src < 0.0 || src > in - 1.0) ? std::nan("") : src;
  }
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

int64_t clamp_index(double v, int64_t size) {
  // Clamp in floating point first: converting an out-of-range double to int64_t is undefined.
  return static_cast<int64_t>(std::clamp(v, 0.0, static_cast<double>(size - 1)));
}

int64_t nearest_index(const ResizePlan& p, double src, int64_t size) {
  const double lower = std::floor(src);
  const double frac = src - lower;
  double chosen = lower;
  if (frac != 0.0) {
    const std::string& m = p.nearest_mode;
    const bool up = m == "ceil" || (m == "round_prefer_floor" && frac > 0.5) ||
                    (m == "round_prefer_ceil" && frac >= 0.5);
    chosen = up ? lower + 1.0 : lower;
  }
  return clamp_index(chosen, size);
}

struct LinearTable {
  std::vector<int64_t> pairs;  // [2 * out]: first and second source index, -1 = extrapolate
  std::vector<float> weights;  // [out]: weight of the second index
};

LinearTable linear_table(const ResizePlan& p, size_t axis) {
  LinearTable t;
  for (int64_t o = 0; o < p.out[axis]; ++o) {
    const double src = source_coordinate(p, axis, o);
    if (std::isnan(src)) {
      t.pairs.insert(t.pairs.end(), {-1, -1});
      t.weights.push_back(0.0f);
      continue;
    }
    const double lower = std::floor(src);
    t.pairs.push_back(clamp_index(lower, p.in[axis]));
    t.pairs.push_back(clamp_index(lower + 1.0, p.in[axis]));
    t.weights.push_back(static_cast<float>(src - lower));
  }
  return t;
}

void infer_resize(const Node& node, Graph& graph) {
  const ResizePlan p = resize_plan(node, graph);
  set_output(node, graph, 0, DType::Float32, p.out);
}

KernelCall lower_nearest(const Node& node, const ResizePlan& p) {
  const size_t rank = p.in.size();
  std::vector<int64_t> offsets;
  int64_t stride = 1;
  std::vector<int64_t> strides(rank);
  for (size_t a = rank; a-- > 0;) {
    strides[a] = stride;
    stride *= p.in[a];
  }
  for (size_t a = 0; a < rank; ++a)
    for (int64_t o = 0; o < p.out[a]; ++o) {
      const double src = source_coordinate(p, a, o);
      offsets.push_back(std::isnan(src) ? -1 : nearest_index(p, src, p.in[a]) * strides[a]);
    }
  KernelCall call("kiln_resize_nearest_f32");
  call.input(node.inputs[0])
      .output(node.outputs[0])
      .i(static_cast<int64_t>(rank))
      .ints(p.out)
      .ints(offsets)
      .f(p.extrapolation);
  return call;
}

KernelCall lower_linear(const Node& node, const ResizePlan& p) {
  const size_t rank = p.in.size();
  const size_t resized_axes = std::min<size_t>(rank, 2);
  int64_t planes = 1;
  for (size_t a = 0; a < rank - resized_axes; ++a) {
    // Leading axes must map every output index onto itself (no interpolation across them).
    const LinearTable t = linear_table(p, a);
    bool identity = p.out[a] == p.in[a];
    for (int64_t o = 0; identity && o < p.out[a]; ++o)
      identity = t.pairs[2 * o] == o && (t.weights[o] == 0.0f || t.pairs[2 * o + 1] == o);
    if (!identity)
      throw Error(node.describe() +
                  ": linear resize is supported on the last two axes only (axis " +
                  std::to_string(a) + " would be interpolated)");
    planes *= p.in[a];
  }
  LinearTable rows{{0, 0}, {0.0f}};
  int64_t in_h = 1, out_h = 1;
  if (rank >= 2) {
    rows = linear_table(p, rank - 2);
    in_h = p.in[rank - 2];
    out_h = p.out[rank - 2];
  }
  const LinearTable cols = linear_table(p, rank - 1);
  KernelCall call("kiln_resize_linear_f32");
  call.input(node.inputs[0])
      .output(node.outputs[0])
      .i(planes)
      .i(in_h)
      .i(p.in[rank - 1])
      .i(out_h)
      .i(p.out[rank - 1])
      .ints(rows.pairs)
      .floats(rows.weights)
      .ints(cols.pairs)
      .floats(cols.weights)
      .f(p.extrapolation);
  return call;
}

KernelCall lower_resize(const Node& node, const Graph& graph) {
  reject_activation(node);
  const ResizePlan p = resize_plan(node, graph);
  if (node.attr_int("antialias", 0) != 0)
    throw UnsupportedError(node.describe() + ": antialias=1 is not supported");
  if (p.mode == "cubic")
    throw UnsupportedError(node.describe() + ": mode 'cubic' is not supported");
  return p.mode == "nearest" ? lower_nearest(node, p) : lower_linear(node, p);
}

int64_t resize_macs(const Node& node, const Graph& graph) {
  if (node.attr_string("mode", "nearest") != "linear") return 0;
  return graph.tensor(node.outputs[0]).elements() * 4;  // four taps per bilinear output
}

// Resize-10 takes (X, scales) and behaves like the later asymmetric transform with floor
// rounding. Opset 11 passes an empty `scales` constant when `sizes` is used; the newest form
// marks it absent instead.
void upgrade_resize(Node& node, Graph& graph, int opset) {
  if (opset <= 10 && node.inputs.size() == 2) {
    node.inputs = {node.inputs[0], "", node.inputs[1]};
    node.attrs["coordinate_transformation_mode"] = std::string("asymmetric");
    if (node.attr_string("mode", "nearest") == "nearest")
      node.attrs["nearest_mode"] = std::string("floor");
  }
  if (node.has_input(2)) {
    const Tensor* scales = graph.find_tensor(node.inputs[2]);
    if (scales && scales->constant && scales->shape_known && scales->elements() == 0)
      node.inputs[2].clear();
  }
  if (node.has_input(1) &&
      node.attr_string("coordinate_transformation_mode", "half_pixel") != "tf_crop_and_resize")
    node.inputs[1].clear();  // roi only matters for tf_crop_and_resize
}

// Upsample (opset 7: `scales` attribute; opset 9: `scales` input) is Resize with the asymmetric
// transform and floor rounding for nearest.
void upgrade_upsample(Node& node, Graph& graph, int opset) {
  std::string scales_name;
  if (opset < 9 || node.has_attr("scales")) {
    const std::vector<float> scales = node.attr_floats("scales", {});
    if (scales.empty()) throw Error(node.describe() + ": missing required attribute 'scales'");
    scales_name = graph.unique_name(node.name + "_scales");
    graph.add_tensor(make_constant<float>(scales_name, DType::Float32,
                                          {static_cast<int64_t>(scales.size())}, scales));
    node.attrs.erase("scales");
  } else {
    if (!node.has_input(1)) throw Error(node.describe() + ": missing the 'scales' input");
    scales_name = node.inputs[1];
  }
  const std::string mode = node.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear")
    throw Error(node.describe() + ": unknown mode " + quote_name(mode));
  node.op_type = "Resize";
  node.inputs = {node.inputs.at(0), "", scales_name};
  node.attrs["mode"] = std::string(mode == "nearest" ? "nearest" : "linear");
  node.attrs["coordinate_transformation_mode"] = std::string("asymmetric");
  node.attrs["nearest_mode"] = std::string("floor");
}

void register_resize_ops() {
  OpDef resize;
  resize.op_type = "Resize";
  resize.min_opset = 10;
  resize.upgrade = upgrade_resize;
  resize.infer = infer_resize;
  resize.lower = lower_resize;
  resize.macs = resize_macs;
  register_op(std::move(resize));

  OpDef upsample;
  upsample.op_type = "Upsample";
  upsample.upgrade = upgrade_upsample;
  // The frontend upgrades every Upsample to Resize before shape inference; reaching these means
  // a graph was built without the frontend's upgrade step.
  upsample.infer = [](const Node& node, Graph&) {
    throw InternalError(node.describe() + ": Upsample must be upgraded to Resize first");
  };
  upsample.lower = [](const Node& node, const Graph&) -> KernelCall {
    throw InternalError(node.describe() + ": Upsample must be upgraded to Resize first");
  };
  register_op(std::move(upsample));
}

}  // namespace

KILN_REGISTER_OPS(register_resize_ops);

}  // namespace kiln
