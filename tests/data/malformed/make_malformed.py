#!/usr/bin/python3
"""Generates the malformed-model corpus next to this script and the fuzzer's valid seed models.

Each file breaks exactly one rule; tests/unit/frontend_malformed_test.cpp and cli_errors_test.cpp
expect kiln to reject it with one line naming the file and the offending thing. The models use
ops kiln implements (Transpose, Concat, Reshape) so the intended error is reached, not an
"unsupported op" one. Run with /usr/bin/python3 (needs the onnx package); output is
deterministic, so re-running it leaves git clean.
"""
import os
import random

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.normpath(os.path.join(HERE, "..", "..", "fuzz", "seeds"))


def model(nodes, inputs, outputs, initializers=(), opset=17, extra_opsets=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(graph, opset_imports=opsets, producer_name="kiln-malformed")
    m.ir_version = 8
    return m


def value(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def transpose_model(opset=17):
    node = helper.make_node("Transpose", ["x"], ["y"], name="flip", perm=[1, 0])
    return model([node], [value("x", [2, 3])], [value("y", [3, 2])], opset=opset)


def concat_with_initializer(init):
    """x (2x3) concatenated along axis 0 with the initializer `init` (declared 2x3)."""
    node = helper.make_node("Concat", ["x", init.name], ["y"], name="join", axis=0)
    return model([node], [value("x", [2, 3])], [value("y", [4, 3])], initializers=[init])


def write(directory, name, data):
    path = os.path.join(directory, name)
    if isinstance(data, onnx.ModelProto):
        data = data.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)


def malformed():
    out = {}
    valid = concat_with_initializer(
        numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "weights"))
    serialized = valid.SerializeToString()
    out["truncated.onnx"] = serialized[: len(serialized) * 2 // 3]
    out["random_bytes.onnx"] = bytes(random.Random(1234).getrandbits(8) for _ in range(600))
    out["empty.onnx"] = b""
    out["text_file.onnx"] = b"This is a README, not a neural network.\nIt has two lines.\n"
    out["no_graph.onnx"] = onnx.ModelProto(ir_version=8, producer_name="kiln").SerializeToString()

    out["unknown_op.onnx"] = model(
        [helper.make_node("FrobnicateTensor", ["x"], ["y"], name="frob")],
        [value("x", [2, 3])], [value("y", [2, 3])])
    out["unknown_domain.onnx"] = model(
        [helper.make_node("Transpose", ["x"], ["y"], name="custom", domain="com.example.custom")],
        [value("x", [2, 3])], [value("y", [3, 2])], extra_opsets=[("com.example.custom", 1)])
    # perm must be INTS; a FLOATS value must be reported, not silently misread.
    out["wrong_attr_type.onnx"] = model(
        [helper.make_node("Transpose", ["x"], ["y"], name="flip", perm=[1.0, 0.0])],
        [value("x", [2, 3])], [value("y", [3, 2])])
    graph_attr = helper.make_node("Transpose", ["x"], ["y"], name="nested")
    graph_attr.attribute.append(helper.make_attribute(
        "body", helper.make_graph([], "body", [], [value("x", [2, 3])])))
    out["graph_attribute.onnx"] = model([graph_attr], [value("x", [2, 3])], [value("y", [3, 2])])

    external = TensorProto(name="weights", data_type=TensorProto.FLOAT, dims=[2, 3])
    external.data_location = TensorProto.EXTERNAL
    external.external_data.add(key="location", value="weights.bin")
    out["external_data.onnx"] = concat_with_initializer(external)

    out["cyclic_graph.onnx"] = model(
        [helper.make_node("Transpose", ["b"], ["a"], name="first"),
         helper.make_node("Transpose", ["a"], ["b"], name="second")],
        [value("x", [2, 3])], [value("b", [2, 3])])

    # 10^12 elements declared, no data: must fail before anything is allocated.
    out["absurd_dims.onnx"] = concat_with_initializer(
        TensorProto(name="huge", data_type=TensorProto.FLOAT, dims=[1000000, 1000000]))
    out["negative_dims.onnx"] = concat_with_initializer(
        TensorProto(name="negative", data_type=TensorProto.FLOAT, dims=[-2, 3]))
    out["raw_data_mismatch.onnx"] = concat_with_initializer(
        TensorProto(name="short_weights", data_type=TensorProto.FLOAT, dims=[2, 3],
                    raw_data=np.zeros(2, dtype=np.float32).tobytes()))
    out["typed_data_mismatch.onnx"] = concat_with_initializer(
        TensorProto(name="short_floats", data_type=TensorProto.FLOAT, dims=[2, 3],
                    float_data=[1.0, 2.0, 3.0]))
    out["int8_out_of_range.onnx"] = concat_with_initializer(
        TensorProto(name="wide_int8", data_type=TensorProto.INT8, dims=[2, 3],
                    int32_data=[1, 2, 3, 4, 5, 300]))
    out["float16_initializer.onnx"] = concat_with_initializer(
        numpy_helper.from_array(np.ones((2, 3), dtype=np.float16), "half_weights"))
    out["string_initializer.onnx"] = concat_with_initializer(
        helper.make_tensor("words", TensorProto.STRING, [2, 3], [b"a", b"b", b"c", b"d", b"e", b"f"]))

    out["undefined_input.onnx"] = model(
        [helper.make_node("Concat", ["x", "ghost"], ["y"], name="join", axis=0)],
        [value("x", [2, 3])], [value("y", [4, 3])])
    out["opset_3.onnx"] = transpose_model(opset=3)
    out["opset_99.onnx"] = transpose_model(opset=99)
    out["duplicate_producer.onnx"] = model(
        [helper.make_node("Transpose", ["x"], ["y"], name="flip_a"),
         helper.make_node("Transpose", ["x"], ["y"], name="flip_b")],
        [value("x", [2, 3])], [value("y", [3, 2])])
    out["constant_string.onnx"] = model(
        [helper.make_node("Constant", [], ["words"], name="text",
                          value_strings=[b"not", b"numbers"]),
         helper.make_node("Transpose", ["x"], ["y"], name="flip")],
        [value("x", [2, 3])], [value("y", [3, 2])])
    return out


def seeds():
    """Small valid models: starting points the fuzzer mutates."""
    out = {"transpose.onnx": transpose_model()}
    out["concat_initializer.onnx"] = concat_with_initializer(
        numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "weights"))
    shape = helper.make_node("Constant", [], ["shape"], name="target_shape",
                             value=numpy_helper.from_array(np.array([3, 2], dtype=np.int64)))
    reshape = helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")
    out["reshape_constant.onnx"] = model([shape, reshape], [value("x", ["batch", 6])],
                                         [value("y", [3, 2])])
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[1, 0]),
             helper.make_node("Concat", ["t", "t"], ["y"], axis=1)]
    out["unnamed_nodes.onnx"] = model(nodes, [value("x", [2, 3])], [value("y", [3, 4])])
    return out


def main():
    for name, data in sorted(malformed().items()):
        write(HERE, name, data)
    os.makedirs(SEEDS, exist_ok=True)
    for name, data in sorted(seeds().items()):
        write(SEEDS, name, data)


if __name__ == "__main__":
    main()
