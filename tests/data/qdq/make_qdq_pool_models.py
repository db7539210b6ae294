#!/usr/bin/env python3
"""Writes the small QDQ AveragePool models of this directory (DequantizeLinear -> AveragePool ->
QuantizeLinear, int8 in and out, input [1, 4, 8, 8]). tests/realmodel/qdq_pool_test.cpp runs
them through ONNX Runtime and kiln: ONNX Runtime fuses each into QLinearAveragePool, whose
float32 arithmetic (dequantize, sum, divide, add the zero point, round half to even) kiln's
"single" requantization reproduces with integers.

  avgpool_same_params.onnx        2x2 stride 2, input and output share scale and zero point
  avgpool_rescale.onnx            2x2 stride 2, different output scale and zero point
  avgpool_3x3_pad.onnx            3x3 stride 1, pads 1, count_include_pad 0
  avgpool_count_include_pad.onnx  3x3 stride 2, pads 1, count_include_pad 1, rescaled

Usage: /usr/bin/python3 tests/data/qdq/make_qdq_pool_models.py   (needs python3-onnx, numpy)
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
                          producer_name="kiln tests/data/qdq/make_qdq_pool_models.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, name + ".onnx"))


model("avgpool_same_params", 0.0371, 3, 0.0371, 3, 2, 2, (0, 0, 0, 0), 0)
model("avgpool_rescale", 0.0371, 3, 0.05, -7, 2, 2, (0, 0, 0, 0), 0)
model("avgpool_3x3_pad", 0.0371, 3, 0.0371, 3, 3, 1, (1, 1, 1, 1), 0)
model("avgpool_count_include_pad", 0.0371, 3, 0.043, -5, 3, 2, (1, 1, 1, 1), 1)
