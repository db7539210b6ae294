#!/usr/bin/env python3
"""Writes the small float models the memory planner tests compile and verify.

planes.onnx    a chain of plane-wise ops (depthwise convolutions with same, shrinking and
               growing planes, MaxPool, AveragePool, GlobalAveragePool) and element-wise ops
               (Relu, Add) whose outputs may be written over their dying inputs.
branches.onnx  two independent conv -> GlobalAveragePool branches listed breadth-first (both
               convs first), so the given order keeps both large conv outputs live at once and
               running one branch to the end first halves the peak.

Run: python3 make_memory_models.py (writes next to this file). Weights are seeded random."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261204)


def weight(name, shape):
    return numpy_helper.from_array(rng.uniform(-0.5, 0.5, shape).astype(np.float32), name)


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def planes():
    c = 6
    inits = [
        weight("w0", [c, c, 1, 1]),
        weight("wd1", [c, 1, 3, 3]),
        weight("wd2", [c, 1, 3, 3]),
        weight("wd3", [c, 1, 1, 1]),
        weight("bd3", [c]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w0"], ["c0"], name="pointwise"),
        # same size planes: 10x10 -> 10x10
        helper.make_node("Conv", ["c0", "wd1"], ["d1"], name="dw_same", group=c,
                         pads=[1, 1, 1, 1]),
        # shrinking planes: 10x10 -> 4x4
        helper.make_node("Conv", ["d1", "wd2"], ["d2"], name="dw_stride2", group=c,
                         strides=[2, 2]),
        # growing planes: 4x4 -> 8x8 (a 1x1 kernel with padding 2)
        helper.make_node("Conv", ["d2", "wd3", "bd3"], ["d3"], name="dw_grow", group=c,
                         pads=[2, 2, 2, 2]),
        helper.make_node("MaxPool", ["d3"], ["p1"], name="maxpool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("AveragePool", ["p1"], ["p2"], name="avgpool", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["p2"], ["r"], name="relu"),
        helper.make_node("Add", ["r", "p1"], ["a"], name="add"),
        helper.make_node("GlobalAveragePool", ["a"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["y"], name="flatten"),
    ]
    graph = helper.make_graph(
        nodes, "memory_planes",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c])], inits)
    save(graph, "planes.onnx")


def branches():
    inits = [weight("wa", [16, 4, 3, 3]), weight("wb", [16, 4, 3, 3])]
    nodes = [
        helper.make_node("Conv", ["x", "wa"], ["a1"], name="conv_a", pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["x", "wb"], ["b1"], name="conv_b", pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["a1"], ["a2"], name="pool_a"),
        helper.make_node("GlobalAveragePool", ["b1"], ["b2"], name="pool_b"),
        helper.make_node("Add", ["a2", "b2"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes, "memory_branches",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 1, 1])], inits)
    save(graph, "branches.onnx")


if __name__ == "__main__":
    planes()
    branches()
