#!/usr/bin/python3
"""Writes large or wide valid ONNX models that stress kiln's graph algorithms (issue 13).

Usage: make_large_graphs.py OUT_DIR [--chain N] [--wide N] [--sum N] [--split N]
                            [--constants K] [--reshape N] [--identity N] [--clip9 N]

  chain_<N>.onnx      x[1,16] -> N Relu nodes in a chain -> y
  wide_<N>.onnx       x[1,16] -> N parallel Relu branches, summed by a chain of N-1 Adds -> y
  sum_<N>.onnx        one Sum over N inputs (x repeated)
  split_<N>.onnx      one Split of x[1,N] into N outputs, each a graph output
  constants_<K>.onnx  K ConstantOfShape nodes, each making a 63 MiB float32 graph output
  reshape_<N>.onnx    x[1,16] -> N Reshapes in a chain (alternately to [4,4] and [2,8]) -> y
  identity_<N>.onnx   x[1,16] -> N Identity nodes in a chain -> y
  clip9_<N>.onnx      x[1,16] -> N Clip(0, 6) nodes in a chain, opset 9 (bounds as attributes,
                      which kiln's upgrade turns into constant inputs) -> y

The models are generated, not committed: they are large and the script is deterministic. The
timings in docs/architecture.md ("Graph scale") were measured on them with
`/usr/bin/time -v build/kiln compile MODEL -o OUT`. Run with /usr/bin/python3 (needs python3-onnx).
"""
import argparse
import os

import onnx
from onnx import TensorProto, helper


def save(path, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, os.path.splitext(os.path.basename(path))[0], inputs, outputs,
                              initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="kiln-make-large-graphs")
    model.ir_version = 8
    onnx.save(model, path)
    print(path)


def value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def chain(out_dir, n):
    nodes = []
    prev = "x"
    for i in range(n):
        out = "y" if i == n - 1 else f"t{i}"
        nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        prev = out
    save(os.path.join(out_dir, f"chain_{n}.onnx"), nodes, [value("x", [1, 16])],
         [value("y", [1, 16])])


def wide(out_dir, n):
    nodes = [helper.make_node("Relu", ["x"], [f"b{i}"], name=f"branch{i}") for i in range(n)]
    acc = "b0"
    for i in range(1, n):
        out = "y" if i == n - 1 else f"s{i}"
        nodes.append(helper.make_node("Add", [acc, f"b{i}"], [out], name=f"add{i}"))
        acc = out
    save(os.path.join(out_dir, f"wide_{n}.onnx"), nodes, [value("x", [1, 16])],
         [value("y", [1, 16])])


def sum_inputs(out_dir, n):
    nodes = [helper.make_node("Sum", ["x"] * n, ["y"], name="sum")]
    save(os.path.join(out_dir, f"sum_{n}.onnx"), nodes, [value("x", [1, 16])],
         [value("y", [1, 16])])


def split_outputs(out_dir, n):
    outs = [f"y{i}" for i in range(n)]
    nodes = [helper.make_node("Split", ["x"], outs, name="split", axis=1, num_outputs=n)]
    save(os.path.join(out_dir, f"split_{n}.onnx"), nodes, [value("x", [1, n])],
         [value(o, [1, 1]) for o in outs])


def constants(out_dir, k):
    elements = (63 << 20) // 4
    shape = helper.make_tensor("shape", TensorProto.INT64, [1], [elements])
    nodes = [helper.make_node("ConstantOfShape", ["shape"], [f"c{i}"], name=f"fill{i}",
                              value=helper.make_tensor("v", TensorProto.FLOAT, [1], [float(i)]))
             for i in range(k)]
    save(os.path.join(out_dir, f"constants_{k}.onnx"), nodes, [],
         [value(f"c{i}", [elements]) for i in range(k)], [shape])


def unary_chain(out_dir, name, n, make_node, opset=17, initializers=()):
    nodes = []
    prev = "x"
    for i in range(n):
        out = "y" if i == n - 1 else f"t{i}"
        nodes.append(make_node(i, prev, out))
        prev = out
    graph = helper.make_graph(nodes, name, [value("x", [1, 16])], [value("y", None)],
                              initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="kiln-make-large-graphs")
    model.ir_version = 8
    path = os.path.join(out_dir, f"{name}.onnx")
    onnx.save(model, path)
    print(path)


def reshape_chain(out_dir, n):
    shapes = [helper.make_tensor("s0", TensorProto.INT64, [2], [4, 4]),
              helper.make_tensor("s1", TensorProto.INT64, [2], [2, 8])]
    unary_chain(out_dir, f"reshape_{n}", n,
                lambda i, a, b: helper.make_node("Reshape", [a, f"s{i % 2}"], [b], name=f"n{i}"),
                initializers=shapes)


def identity_chain(out_dir, n):
    unary_chain(out_dir, f"identity_{n}", n,
                lambda i, a, b: helper.make_node("Identity", [a], [b], name=f"id{i}"))


def clip9_chain(out_dir, n):
    unary_chain(out_dir, f"clip9_{n}", n,
                lambda i, a, b: helper.make_node("Clip", [a], [b], name=f"clip{i}", min=0.0,
                                                 max=6.0),
                opset=9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--chain", type=int, action="append", default=[])
    parser.add_argument("--wide", type=int, action="append", default=[])
    parser.add_argument("--sum", type=int, action="append", default=[])
    parser.add_argument("--split", type=int, action="append", default=[])
    parser.add_argument("--constants", type=int, action="append", default=[])
    parser.add_argument("--reshape", type=int, action="append", default=[])
    parser.add_argument("--identity", type=int, action="append", default=[])
    parser.add_argument("--clip9", type=int, action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for n in args.chain:
        chain(args.out_dir, n)
    for n in args.wide:
        wide(args.out_dir, n)
    for n in args.sum:
        sum_inputs(args.out_dir, n)
    for n in args.split:
        split_outputs(args.out_dir, n)
    for k in args.constants:
        constants(args.out_dir, k)
    for n in args.reshape:
        reshape_chain(args.out_dir, n)
    for n in args.identity:
        identity_chain(args.out_dir, n)
    for n in args.clip9:
        clip9_chain(args.out_dir, n)


if __name__ == "__main__":
    main()
