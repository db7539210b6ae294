#!/usr/bin/env python3
"""Writes a small pre-quantized (QDQ) model whose weights have per-axis zero points that differ,
with inputs and ONNX Runtime's outputs (kiln's per-channel asymmetric weights, lower_qdq).

  per_axis_zp.onnx  int8 x [1, 4, 6, 6] -> DQ -> Conv 3x3 (pads 1, int8 weights per output
                    channel: 6 scales, 6 different zero points, int32 bias) -> Relu -> Q -> DQ ->
                    depthwise Conv 3x3 stride 2 (group 6, per-channel zero points) -> Q -> DQ ->
                    Flatten -> Gemm transB (B [10, 54] per-axis along axis 0, int32 C) -> Q -> DQ
                    -> MatMul (uint8 B [10, 5] per-axis along axis 1) -> Q -> int8 y [1, 5]
  inputs.bin        32 int8 samples of x, back to back
  expected_ort.bin  ONNX Runtime's int8 y for each sample (default optimization level "all",
                    run by tests/ort/run_ort.js), back to back

The script also runs ONNX Runtime at optimization level "basic" (every QDQ op computed in
float32, rounded once at each QuantizeLinear) and prints where it differs from "all": nowhere,
because ONNX Runtime does not fuse QDQ groups whose weights have differing per-axis zero points
into its integer kernels (its QLinearConv takes one filter zero point).

Run: python3 make_per_axis_zp.py [RUN_ORT_JS]   (default: ../../ort/run_ort.js; needs
onnxruntime-node installed next to it, see tests/ort/README.md). Weights are seeded random."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261204)
SAMPLES = 32


def per_channel_int8(shape, axis, zps, lo=-128, hi=127):
    """Random int8 weights whose values spread around a per-channel zero point."""
    w = rng.integers(-60, 61, size=shape)
    zp_shape = [1] * len(shape)
    zp_shape[axis] = shape[axis]
    w = w + np.asarray(zps).reshape(zp_shape)
    return np.clip(w, lo, hi)


nodes = []
inits = []


def const(name, array):
    inits.append(numpy_helper.from_array(array, name))
    return name


def dq(x, scale, zp, out, axis=None):
    attrs = {} if axis is None else {"axis": axis}
    nodes.append(helper.make_node("DequantizeLinear", [x, scale, zp], [out], **attrs))
    return out


def q(x, scale, zp, out):
    nodes.append(helper.make_node("QuantizeLinear", [x, scale, zp], [out]))
    return out


def act_params(name, scale, zp):
    return const(name + "_scale", np.float32(scale)), const(name + "_zp", np.int8(zp))


x_s, x_z = act_params("x", 0.05, 3)
dq("x", x_s, x_z, "x_f")

# Conv 1: [6, 4, 3, 3], zero points differ per output channel.
w1_zp = np.array([-20, 5, 0, 17, -3, 40], np.int8)
w1_s = np.array([0.004, 0.006, 0.003, 0.005, 0.0045, 0.0035], np.float32)
w1 = per_channel_int8((6, 4, 3, 3), 0, w1_zp).astype(np.int8)
dq(const("w1", w1), const("w1_scale", w1_s), const("w1_zp", w1_zp), "w1_f", axis=0)
b1 = rng.integers(-3000, 3000, size=6).astype(np.int32)
dq(const("b1", b1), const("b1_scale", (np.float32(0.05) * w1_s).astype(np.float32)),
   const("b1_zp", np.zeros(6, np.int32)), "b1_f", axis=0)
nodes.append(helper.make_node("Conv", ["x_f", "w1_f", "b1_f"], ["c1"], pads=[1, 1, 1, 1]))
nodes.append(helper.make_node("Relu", ["c1"], ["r1"]))
c1_s, c1_z = act_params("c1", 0.04, -128)
q("r1", c1_s, c1_z, "c1_q")
dq("c1_q", c1_s, c1_z, "c1_f")

# Depthwise conv 2: [6, 1, 3, 3], stride 2, no bias.
w2_zp = np.array([7, -11, 0, 23, -30, 2], np.int8)
w2_s = np.array([0.01, 0.012, 0.008, 0.015, 0.011, 0.009], np.float32)
w2 = per_channel_int8((6, 1, 3, 3), 0, w2_zp).astype(np.int8)
dq(const("w2", w2), const("w2_scale", w2_s), const("w2_zp", w2_zp), "w2_f", axis=0)
nodes.append(helper.make_node("Conv", ["c1_f", "w2_f"], ["c2"], group=6, strides=[2, 2],
                              pads=[1, 1, 1, 1]))
c2_s, c2_z = act_params("c2", 0.03, 10)
q("c2", c2_s, c2_z, "c2_q")
dq("c2_q", c2_s, c2_z, "c2_f")
nodes.append(helper.make_node("Flatten", ["c2_f"], ["flat"]))

# Gemm transB: B [10, 54], per-axis along axis 0 (the output channels of a transposed B).
w3_zp = rng.integers(-40, 41, size=10).astype(np.int8)
w3_s = rng.uniform(0.002, 0.006, size=10).astype(np.float32)
w3 = per_channel_int8((10, 54), 0, w3_zp).astype(np.int8)
dq(const("w3", w3), const("w3_scale", w3_s), const("w3_zp", w3_zp), "w3_f", axis=0)
b3 = rng.integers(-2000, 2000, size=10).astype(np.int32)
dq(const("b3", b3), const("b3_scale", (np.float32(0.03) * w3_s).astype(np.float32)),
   const("b3_zp", np.zeros(10, np.int32)), "b3_f", axis=0)
nodes.append(helper.make_node("Gemm", ["flat", "w3_f", "b3_f"], ["g"], transB=1))
g_s, g_z = act_params("g", 0.05, -4)
q("g", g_s, g_z, "g_q")
dq("g_q", g_s, g_z, "g_f")

# MatMul: uint8 B [10, 5], per-axis along axis 1 (columns), zero points around 128.
w4_zp = np.array([128, 100, 150, 140, 90], np.uint8)
w4_s = np.array([0.01, 0.02, 0.015, 0.012, 0.018], np.float32)
w4 = per_channel_int8((10, 5), 1, w4_zp.astype(np.int64), 0, 255).astype(np.uint8)
dq(const("w4", w4), const("w4_scale", w4_s), const("w4_zp", w4_zp), "w4_f", axis=1)
nodes.append(helper.make_node("MatMul", ["g_f", "w4_f"], ["mm"]))
y_s, y_z = act_params("y", 0.04, 2)
q("mm", y_s, y_z, "y")

graph = helper.make_graph(nodes, "per_axis_zp",
                          [helper.make_tensor_value_info("x", TensorProto.INT8, [1, 4, 6, 6])],
                          [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 5])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model, full_check=True)
model_path = os.path.join(HERE, "per_axis_zp.onnx")
onnx.save(model, model_path)

inputs = rng.integers(-128, 128, size=(SAMPLES, 1, 4, 6, 6)).astype(np.int8)
inputs.tofile(os.path.join(HERE, "inputs.bin"))



def run_ort_outputs(level):
    with tempfile.TemporaryDirectory() as tmp:
        in_root, out_root = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        for i, s in enumerate(inputs):
            d = os.path.join(in_root, "%03d" % i)
            os.makedirs(d)
            s.tofile(os.path.join(d, "input_0.bin"))
            with open(os.path.join(d, "input_0.json"), "w") as f:
                json.dump({"name": "x", "shape": list(s.shape), "dtype": "int8"}, f)
        subprocess.run(["node", RUN_ORT, "--optimization", level, model_path, in_root, out_root],
                       check=True)
        return np.stack([
            np.fromfile(os.path.join(out_root, "%03d" % i, "output_0.bin"), np.int8)
            for i in range(SAMPLES)
        ])


RUN_ORT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "ort", "run_ort.js")
expected_ort = run_ort_outputs("all")
expected_ort.tofile(os.path.join(HERE, "expected_ort.bin"))
expected_basic = run_ort_outputs("basic")
diff = np.abs(expected_ort.astype(np.int32) - expected_basic)
print("ORT all vs basic: %d of %d outputs differ, largest difference %d" %
      (np.count_nonzero(diff), diff.size, diff.max()))
