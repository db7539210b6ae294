#!/usr/bin/env python3
"""Writes the small QDQ models of this directory: one quantized op each (DequantizeLinear on
every int8 input, the float op, QuantizeLinear to an int8 output). tests/realmodel/qdq_ops_test.cpp
runs them through ONNX Runtime (its default optimization fuses most into QLinear* kernels) and
kiln, whose "single" requantization must reproduce ONNX Runtime's integers exactly.

AveragePool (input [1, 4, 8, 8]); ONNX Runtime's QLinearAveragePool computes in float32
(dequantize, sum, divide, add the zero point, round half to even):

  avgpool_same_params.onnx        2x2 stride 2, input and output share scale and zero point
  avgpool_rescale.onnx            2x2 stride 2, different output scale and zero point
  avgpool_3x3_pad.onnx            3x3 stride 1, pads 1, count_include_pad 0
  avgpool_count_include_pad.onnx  3x3 stride 2, pads 1, count_include_pad 1, rescaled

One op each (op_*.onnx): Add, Add with broadcasting, Sub, Mul, Concat of differently scaled
inputs, Sigmoid, Tanh, Softmax, Relu, LeakyRelu, MaxPool, GlobalAveragePool, Gemm (int32 bias),
MatMul, Conv (per-channel weights, int32 bias) + Relu.

per_axis_zp.onnx and its data come from make_per_axis_zp.py (not this script).

Usage: /usr/bin/python3 tests/data/qdq/make_qdq_models.py   (needs python3-onnx, numpy)
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def model(name, x_scale, x_zero, y_scale, y_zero, kernel, stride, pads, count_include_pad):
    side = (8 + pads[0] + pads[2] - kernel) // stride + 1
    out_shape = [1, 4, side, side]
    nodes = [
        helper.make_node("DequantizeLinear", ["x", "x_scale", "x_zero"], ["x_float"]),
        helper.make_node("AveragePool", ["x_float"], ["pooled"], kernel_shape=[kernel, kernel],
                         strides=[stride, stride], pads=list(pads),
                         count_include_pad=count_include_pad),
        helper.make_node("QuantizeLinear", ["pooled", "y_scale", "y_zero"], ["y"]),
    ]
    constants = [
        numpy_helper.from_array(np.array(x_scale, np.float32), "x_scale"),
        numpy_helper.from_array(np.array(x_zero, np.int8), "x_zero"),
        numpy_helper.from_array(np.array(y_scale, np.float32), "y_scale"),
        numpy_helper.from_array(np.array(y_zero, np.int8), "y_zero"),
    ]
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("x", TensorProto.INT8, [1, 4, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.INT8, out_shape)],
                              constants)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="kiln tests/data/qdq/make_qdq_models.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, name + ".onnx"))


model("avgpool_same_params", 0.0371, 3, 0.0371, 3, 2, 2, (0, 0, 0, 0), 0)
model("avgpool_rescale", 0.0371, 3, 0.05, -7, 2, 2, (0, 0, 0, 0), 0)
model("avgpool_3x3_pad", 0.0371, 3, 0.0371, 3, 3, 1, (1, 1, 1, 1), 0)
model("avgpool_count_include_pad", 0.0371, 3, 0.043, -5, 3, 2, (1, 1, 1, 1), 1)


# ---- one quantized op per model ------------------------------------------------------------

rng = np.random.RandomState(5)


def op_model(name, body, inputs, out_shape, y_scale, y_zero, constants=()):
    """inputs: (name, shape, scale, zero point); body reads f0, f1, ... and writes yf."""
    nodes, inits, graph_inputs = [], list(constants), []
    for i, (n, shape, scale, zero) in enumerate(inputs):
        graph_inputs.append(helper.make_tensor_value_info(n, TensorProto.INT8, shape))
        inits += [numpy_helper.from_array(np.array(scale, np.float32), f"s{i}"),
                  numpy_helper.from_array(np.array(zero, np.int8), f"z{i}")]
        nodes.append(helper.make_node("DequantizeLinear", [n, f"s{i}", f"z{i}"], [f"f{i}"]))
    nodes += body
    inits += [numpy_helper.from_array(np.array(y_scale, np.float32), "sy"),
              numpy_helper.from_array(np.array(y_zero, np.int8), "zy")]
    nodes.append(helper.make_node("QuantizeLinear", ["yf", "sy", "zy"], ["y"]))
    graph = helper.make_graph(nodes, name, graph_inputs,
                              [helper.make_tensor_value_info("y", TensorProto.INT8, out_shape)],
                              inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="kiln tests/data/qdq/make_qdq_models.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, "op_" + name + ".onnx"))


def dequantized_constant(name, values, scale, zero, dtype, axis=None):
    attrs = {} if axis is None else {"axis": axis}
    inits = [numpy_helper.from_array(values.astype(dtype), name + "_q"),
             numpy_helper.from_array(np.asarray(scale, np.float32), name + "_s"),
             numpy_helper.from_array(np.asarray(zero, dtype), name + "_z")]
    return inits, helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                   [name], **attrs)


A, B = ("a", [1, 8, 6, 6], 0.031, 3), ("b", [1, 8, 6, 6], 0.047, -9)
op_model("add", [helper.make_node("Add", ["f0", "f1"], ["yf"])], [A, B], [1, 8, 6, 6], 0.06, 5)
op_model("add_broadcast", [helper.make_node("Add", ["f0", "f1"], ["yf"])],
         [A, ("b", [1, 8, 1, 1], 0.047, -9)], [1, 8, 6, 6], 0.06, 5)
op_model("sub", [helper.make_node("Sub", ["f0", "f1"], ["yf"])], [A, B], [1, 8, 6, 6], 0.06, 5)
op_model("mul", [helper.make_node("Mul", ["f0", "f1"], ["yf"])], [A, B], [1, 8, 6, 6], 0.02, -3)
op_model("concat", [helper.make_node("Concat", ["f0", "f1"], ["yf"], axis=1)],
         [("a", [1, 4, 6, 6], 0.031, 3), ("b", [1, 4, 6, 6], 0.047, -9)], [1, 8, 6, 6], 0.05, 1)
op_model("sigmoid", [helper.make_node("Sigmoid", ["f0"], ["yf"])], [("a", [1, 8, 6, 6], 0.05, 3)],
         [1, 8, 6, 6], 1 / 256, -128)
op_model("tanh", [helper.make_node("Tanh", ["f0"], ["yf"])], [("a", [1, 8, 6, 6], 0.03, 3)],
         [1, 8, 6, 6], 1 / 128, 0)
op_model("softmax", [helper.make_node("Softmax", ["f0"], ["yf"], axis=-1)],
         [("a", [4, 10], 0.1, 3)], [4, 10], 1 / 256, -128)
op_model("relu", [helper.make_node("Relu", ["f0"], ["yf"])], [("a", [1, 8, 6, 6], 0.05, 3)],
         [1, 8, 6, 6], 0.03, -128)
op_model("leaky_relu", [helper.make_node("LeakyRelu", ["f0"], ["yf"], alpha=0.1)],
         [("a", [1, 8, 6, 6], 0.05, 3)], [1, 8, 6, 6], 0.03, -20)
op_model("max_pool", [helper.make_node("MaxPool", ["f0"], ["yf"], kernel_shape=[2, 2],
                                       strides=[2, 2])],
         [("a", [1, 8, 6, 6], 0.05, 3)], [1, 8, 3, 3], 0.05, 3)
op_model("global_average_pool", [helper.make_node("GlobalAveragePool", ["f0"], ["yf"])],
         [("a", [1, 8, 6, 6], 0.05, 3)], [1, 8, 1, 1], 0.02, -4)
w_inits, w_node = dequantized_constant(
    "w", np.clip(np.round(rng.randn(8, 16) * 0.3 / 0.01), -127, 127), 0.01, 0, np.int8)
b_inits, b_node = dequantized_constant("bias", rng.randint(-500, 500, size=8), 0.031 * 0.01, 0,
                                       np.int32)
op_model("gemm", [w_node, b_node, helper.make_node("Gemm", ["f0", "w", "bias"], ["yf"], transB=1)],
         [("a", [3, 16], 0.031, 3)], [3, 8], 0.1, 2, w_inits + b_inits)
w_inits, w_node = dequantized_constant(
    "w", np.clip(np.round(rng.randn(16, 8) * 0.3 / 0.01), -127, 127), 0.01, 0, np.int8)
op_model("matmul", [w_node, helper.make_node("MatMul", ["f0", "w"], ["yf"])],
         [("a", [3, 16], 0.031, 3)], [3, 8], 0.1, 2, w_inits)
w_scales = (np.abs(rng.randn(8)) * 0.01 + 0.005).astype(np.float32)
weights = np.clip(np.round(rng.randn(8, 4, 3, 3) * 0.3 / w_scales.reshape(8, 1, 1, 1)), -127, 127)
w_inits, w_node = dequantized_constant("w", weights, w_scales, np.zeros(8), np.int8, axis=0)
b_inits, b_node = dequantized_constant("bias", rng.randint(-500, 500, size=8),
                                       (0.031 * w_scales).astype(np.float32), np.zeros(8),
                                       np.int32, axis=0)
op_model("conv_relu", [w_node, b_node,
                       helper.make_node("Conv", ["f0", "w", "bias"], ["c"], pads=[1, 1, 1, 1]),
                       helper.make_node("Relu", ["c"], ["yf"])],
         [("a", [1, 4, 6, 6], 0.031, 3)], [1, 8, 6, 6], 0.05, -128, w_inits + b_inits)
