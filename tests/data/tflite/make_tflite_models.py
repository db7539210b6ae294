#!/usr/bin/env python3
"""Generates the small TFLite test models in this directory (committed with their outputs).

Each model is written as flatbuffer JSON and compiled to .tflite by flatc with kiln's schema
(src/frontend/tflite_schema.fbs), so the files only use what that schema declares. Expected
outputs come from an independent NumPy implementation of TFLite's NHWC semantics.

  ops_float.tflite   every supported builtin in float32 (two outputs)
  ops_int8.tflite    the same graph quantized: QUANTIZE at the input, int8 activations
                     (per-tensor), per-channel conv weights, int32 biases, DEQUANTIZE at the outputs
  input.bin          the float32 NHWC input [1, 8, 8, 3] both are tested with
                     (both models are also copied to tests/fuzz/tflite_seeds, the fuzz corpus)
  expected_0.bin     float reference of output 0 ([1, 10] softmax), expected_1.bin output 1
                     ([1, 3, 3, 1] mean over channels), expected_2.bin output 2 ([1, 1, 1, 8]
                     mean over height and width, keep_dims)
  softmax_beta_int8.tflite       int8 [1, 10] -> SOFTMAX(beta 0.5) -> int8 (scale 1/256, zp -128),
                                 input scale 0.1, zero point 3
  softmax_beta_twin_int8.tflite  the same with beta 1 and input scale 0.05: TFLite's integer
                                 softmax depends only on beta * input_scale, so both must give
                                 the same int8 outputs for the same int8 inputs
  malformed/*.tflite files kiln must reject with one clear line (bad schema version,
                     unsupported op, tensor index out of range, buffer size mismatch, a
                     filter marked sparse);
                     malformed/misaligned_zero_point.tflite is not generated here: it is an
                     input found by tests/fuzz/fuzz_tflite_loader.cpp (a zero_point vector of
                     int64 at an offset that is not a multiple of 8), kept as a regression

Usage: python3 tests/data/tflite/make_tflite_models.py   (needs numpy and flatc)
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "..", "src", "frontend", "tflite_schema.fbs")

rng = np.random.RandomState(20261204)


# ---- NumPy reference of TFLite's float ops (NHWC) -------------------------------------------

def same_pads(size, k, s):
    out = (size + s - 1) // s
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b, stride, padding):  # w [O, KH, KW, I]
    n, h, wd, c = x.shape
    o, kh, kw, i = w.shape
    if padding == "SAME":
        pt, pb = same_pads(h, kh, stride)
        pl, pr = same_pads(wd, kw, stride)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (h + pt + pb - kh) // stride + 1
    ow = (wd + pl + pr - kw) // stride + 1
    y = np.zeros((n, oh, ow, o), np.float64)
    for r in range(oh):
        for q in range(ow):
            patch = xp[:, r * stride:r * stride + kh, q * stride:q * stride + kw, :]
            y[:, r, q, :] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return y + b


def depthwise(x, w, b, stride, mult):  # w [1, KH, KW, C*M], VALID
    n, h, wd, c = x.shape
    _, kh, kw, cm = w.shape
    oh = (h - kh) // stride + 1
    ow = (wd - kw) // stride + 1
    y = np.zeros((n, oh, ow, cm), np.float64)
    for r in range(oh):
        for q in range(ow):
            patch = x[:, r * stride:r * stride + kh, q * stride:q * stride + kw, :]
            patch = np.repeat(patch, mult, axis=3)
            y[:, r, q, :] = (patch * w[0]).sum(axis=(1, 2))
    return y + b


def pool(x, k, s, padding, kind):
    n, h, wd, c = x.shape
    if padding == "SAME":
        pt, pb = same_pads(h, k, s)
        pl, pr = same_pads(wd, k, s)
    else:
        pt = pb = pl = pr = 0
    oh = (h + pt + pb - k) // s + 1
    ow = (wd + pl + pr - k) // s + 1
    y = np.zeros((n, oh, ow, c), np.float64)
    for r in range(oh):
        for q in range(ow):
            r0, q0 = r * s - pt, q * s - pl
            win = x[:, max(r0, 0):min(r0 + k, h), max(q0, 0):min(q0 + k, wd), :]
            y[:, r, q, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


def hard_swish(x):
    return x * np.clip(x + 3, 0, 6) / 6


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---- the test graph --------------------------------------------------------------------------

W1 = rng.uniform(-0.5, 0.5, (4, 3, 3, 3)).astype(np.float32)
B1 = rng.uniform(-0.2, 0.2, (4,)).astype(np.float32)
W2 = rng.uniform(-0.5, 0.5, (1, 3, 3, 8)).astype(np.float32)
B2 = rng.uniform(-0.2, 0.2, (8,)).astype(np.float32)
C6 = rng.uniform(0.5, 1.5, (8,)).astype(np.float32)
WF1 = rng.uniform(-0.3, 0.3, (10, 96)).astype(np.float32)
BF1 = rng.uniform(-0.1, 0.1, (10,)).astype(np.float32)
WF2 = rng.uniform(-0.3, 0.3, (10, 16)).astype(np.float32)
BF2 = rng.uniform(-0.1, 0.1, (10,)).astype(np.float32)


def reference(x):
    """All intermediate values (float64) keyed by tensor name."""
    v = {"input": x.astype(np.float64)}
    v["t1"] = np.clip(conv2d(v["input"], W1, B1, 1, "SAME"), 0, 6)
    v["t2"] = depthwise(v["t1"], W2, B2, 1, 2)
    v["t3"] = pool(v["t2"], 2, 2, "VALID", "max")
    v["t4"] = pool(v["t2"], 3, 2, "SAME", "avg")
    v["t5"] = np.maximum(v["t3"] + v["t4"], 0)
    v["t6"] = v["t5"] * C6
    v["t7"] = v["t6"] - v["t3"]
    v["t8"] = hard_swish(v["t7"])
    v["t9"] = np.concatenate([v["t8"], v["t5"]], axis=3)
    v["t10"] = np.pad(v["t9"], ((0, 0), (1, 0), (0, 1), (0, 0)))
    v["t11"] = np.tanh(v["t10"])
    v["t12"] = np.transpose(v["t11"], (0, 2, 1, 3))
    v["t13"] = v["t12"][0:1, 1:4, 0:4:2, 0:16]
    v["t14"] = v["t13"].mean(axis=(1, 2))
    v["t15"] = sigmoid(v["t13"])
    v["t16"] = v["t15"].reshape(1, 96)
    v["t17"] = v["t16"] @ WF1.T + BF1
    v["t18"] = v["t14"] @ WF2.T + BF2
    v["t19"] = v["t17"] + v["t18"]
    v["t20"] = np.maximum(v["t19"], 0)
    v["out0"] = softmax(v["t20"])
    v["out1"] = v["t9"].mean(axis=3, keepdims=True)
    v["out2"] = v["t2"].mean(axis=(1, 2), keepdims=True)
    return v


SHAPES = {"input": [1, 8, 8, 3], "t1": [1, 8, 8, 4], "t2": [1, 6, 6, 8], "t3": [1, 3, 3, 8],
          "t4": [1, 3, 3, 8], "t5": [1, 3, 3, 8], "t6": [1, 3, 3, 8], "t7": [1, 3, 3, 8],
          "t8": [1, 3, 3, 8], "t9": [1, 3, 3, 16], "t10": [1, 4, 4, 16], "t11": [1, 4, 4, 16],
          "t12": [1, 4, 4, 16], "t13": [1, 3, 2, 16], "t14": [1, 16], "t15": [1, 3, 2, 16],
          "t16": [1, 96], "t17": [1, 10], "t18": [1, 10], "t19": [1, 10], "t20": [1, 10],
          "out0": [1, 10], "out1": [1, 3, 3, 1], "out2": [1, 1, 1, 8]}


class ModelWriter:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [{}], [], []
        self.index = {}

    def code(self, name):
        if name not in self.codes:
            self.codes.append(name)
        return self.codes.index(name)

    def tensor(self, name, shape, ttype="FLOAT32", data=None, quant=None):
        t = {"name": name, "shape": list(shape), "type": ttype, "buffer": 0}
        if data is not None:
            self.buffers.append({"data": list(np.ascontiguousarray(data).tobytes())})
            t["buffer"] = len(self.buffers) - 1
        if quant is not None:
            t["quantization"] = quant
        self.tensors.append(t)
        self.index[name] = len(self.tensors) - 1
        return self.index[name]

    def op(self, code, inputs, outputs, opt_type=None, opts=None):
        o = {"opcode_index": self.code(code),
             "inputs": [self.index[i] if isinstance(i, str) else i for i in inputs],
             "outputs": [self.index[i] for i in outputs]}
        if opt_type:
            o["builtin_options_type"] = opt_type
            o["builtin_options"] = opts or {}
        self.ops.append(o)

    def write(self, path, inputs, outputs, version=3):
        model = {"version": version,
                 "operator_codes": [{"deprecated_builtin_code": min(CODES[c], 127),
                                     "builtin_code": c, "version": 1} for c in self.codes],
                 "subgraphs": [{"tensors": self.tensors,
                                "inputs": [self.index[i] for i in inputs],
                                "outputs": [self.index[o] for o in outputs],
                                "operators": self.ops, "name": "main"}],
                 "description": "kiln test model (tests/data/tflite/make_tflite_models.py)",
                 "buffers": self.buffers}
        json_path = path[:-len(".tflite")] + ".json"
        with open(json_path, "w") as f:
            json.dump(model, f)
        subprocess.run(["flatc", "-b", "-o", os.path.dirname(path), SCHEMA, json_path], check=True)
        os.remove(json_path)


CODES = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
         "DEQUANTIZE": 6, "FULLY_CONNECTED": 9, "LOGISTIC": 14, "LSTM": 16, "MAX_POOL_2D": 17,
         "MUL": 18, "RELU": 19, "RELU6": 21, "RESHAPE": 22, "SOFTMAX": 25, "TANH": 28, "PAD": 34,
         "TRANSPOSE": 39, "MEAN": 40, "SUB": 41, "STRIDED_SLICE": 45, "QUANTIZE": 114,
         "HARD_SWISH": 117}


def build(quantized, calib):
    """The test graph; `calib` holds reference values for choosing int8 parameters."""
    m = ModelWriter()

    def act_quant(name):
        if not quantized:
            return None
        fixed = {"t15": (1 / 256, -128), "out0": (1 / 256, -128), "t11": (1 / 128, 0)}
        same_as = {"t3": "t2", "t10": "t9", "t12": "t11", "t13": "t11", "t16": "t15"}
        if name in fixed:
            s, z = fixed[name]
        elif name in same_as:
            return act_quant(same_as[name])
        else:
            lo = min(float(calib[name].min()), 0.0)
            hi = max(float(calib[name].max()), 0.0)
            s = (hi - lo) / 255 or 1.0
            z = int(round(-128 - lo / s))
        return {"scale": [s], "zero_point": [z]}

    def act(name):
        return m.tensor(name, SHAPES[name], "INT8" if quantized else "FLOAT32",
                        quant=act_quant(name))

    def weight(name, w, axis):
        if not quantized:
            return m.tensor(name, w.shape, data=w)
        if axis is None:
            s = np.array([np.abs(w).max() / 127])
        else:
            s = np.abs(w).max(axis=tuple(d for d in range(w.ndim) if d != axis)) / 127
        shape = [1] * w.ndim
        if axis is not None:
            shape[axis] = -1
        q = np.clip(np.round(w / s.reshape(shape)), -127, 127).astype(np.int8)
        quant = {"scale": [float(v) for v in s], "zero_point": [0] * len(s),
                 "quantized_dimension": axis or 0}
        return m.tensor(name, w.shape, "INT8", q, quant), s

    def bias(name, b, in_name, w_scales):
        if not quantized:
            return m.tensor(name, b.shape, data=b)
        in_scale = act_quant(in_name)["scale"][0]
        s = in_scale * np.asarray(w_scales, np.float64) * np.ones(b.shape)
        q = np.round(b / s).astype(np.int32)
        return m.tensor(name, b.shape, "INT32", q,
                        {"scale": [float(v) for v in s], "zero_point": [0] * len(s)})

    def wq(result):
        return result if not quantized else result[0]

    def ws(result):
        return None if not quantized else result[1]

    def ints(name, values):
        a = np.asarray(values, np.int32)
        return m.tensor(name, a.shape, "INT32", a)

    if quantized:
        m.tensor("input_float", SHAPES["input"])
        act("input")
        m.op("QUANTIZE", ["input_float"], ["input"], "QuantizeOptions")
    else:
        act("input")
    for n in SHAPES:
        if n != "input":
            act(n)
    w1 = weight("w1", W1, 0)
    b1 = bias("b1", B1, "input", ws(w1))
    m.op("CONV_2D", ["input", wq(w1), b1], ["t1"], "Conv2DOptions",
         {"padding": "SAME", "stride_w": 1, "stride_h": 1, "fused_activation_function": "RELU6"})
    w2 = weight("w2", W2, 3)
    b2 = bias("b2", B2, "t1", ws(w2))
    m.op("DEPTHWISE_CONV_2D", ["t1", wq(w2), b2], ["t2"], "DepthwiseConv2DOptions",
         {"padding": "VALID", "stride_w": 1, "stride_h": 1, "depth_multiplier": 2})
    m.op("MAX_POOL_2D", ["t2"], ["t3"], "Pool2DOptions",
         {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2, "filter_height": 2})
    m.op("AVERAGE_POOL_2D", ["t2"], ["t4"], "Pool2DOptions",
         {"padding": "SAME", "stride_w": 2, "stride_h": 2, "filter_width": 3, "filter_height": 3})
    m.op("ADD", ["t3", "t4"], ["t5"], "AddOptions", {"fused_activation_function": "RELU"})
    if quantized:
        s = float(C6.max() / 127)
        c6 = m.tensor("c6", [8], "INT8", np.round(C6 / s).astype(np.int8),
                      {"scale": [s], "zero_point": [0]})
    else:
        c6 = m.tensor("c6", [8], data=C6)
    m.op("MUL", ["t5", c6], ["t6"], "MulOptions", {})
    m.op("SUB", ["t6", "t3"], ["t7"], "SubOptions", {})
    m.op("HARD_SWISH", ["t7"], ["t8"], "HardSwishOptions")
    m.op("CONCATENATION", ["t8", "t5"], ["t9"], "ConcatenationOptions", {"axis": 3})
    m.op("PAD", ["t9", ints("paddings", [[0, 0], [1, 0], [0, 1], [0, 0]])], ["t10"],
         "PadOptions")
    m.op("TANH", ["t10"], ["t11"])
    m.op("TRANSPOSE", ["t11", ints("perm", [0, 2, 1, 3])], ["t12"], "TransposeOptions")
    m.op("STRIDED_SLICE", ["t12", ints("begin", [0, 1, 0, 0]), ints("end", [1, 4, 4, 16]),
                           ints("strides", [1, 1, 2, 1])], ["t13"], "StridedSliceOptions", {})
    m.op("MEAN", ["t13", ints("axes_hw", [1, 2])], ["t14"], "ReducerOptions",
         {"keep_dims": False})
    m.op("LOGISTIC", ["t13"], ["t15"])
    m.op("RESHAPE", ["t15", ints("shape", [1, 96])], ["t16"], "ReshapeOptions",
         {"new_shape": [1, 96]})
    wf1 = weight("wf1", WF1, None)
    m.op("FULLY_CONNECTED", ["t16", wq(wf1), bias("bf1", BF1, "t16", ws(wf1))], ["t17"],
         "FullyConnectedOptions", {})
    wf2 = weight("wf2", WF2, None)
    m.op("FULLY_CONNECTED", ["t14", wq(wf2), bias("bf2", BF2, "t14", ws(wf2))], ["t18"],
         "FullyConnectedOptions", {})
    m.op("ADD", ["t17", "t18"], ["t19"], "AddOptions", {})
    m.op("RELU", ["t19"], ["t20"])
    m.op("SOFTMAX", ["t20"], ["out0"], "SoftmaxOptions", {"beta": 1.0})
    m.op("MEAN", ["t9", ints("axes_c", [-1])], ["out1"], "ReducerOptions", {"keep_dims": True})
    m.op("MEAN", ["t2", ints("axes_hw_keep", [1, 2])], ["out2"], "ReducerOptions",
         {"keep_dims": True})
    if quantized:
        outs = []
        for o in ("out0", "out1", "out2"):
            m.tensor(o + "_float", SHAPES[o])
            m.op("DEQUANTIZE", [o], [o + "_float"])
            outs.append(o + "_float")
        return m, ["input_float"], outs
    return m, ["input"], ["out0", "out1", "out2"]


def malformed(path, mutate):
    m, inputs, outputs = build(False, None)
    version = mutate(m)
    m.write(path, inputs, outputs, version=version or 3)


def softmax_beta_model(path, beta, input_scale):
    m = ModelWriter()
    m.tensor("logits", [1, 10], "INT8", quant={"scale": [input_scale], "zero_point": [3]})
    m.tensor("probabilities", [1, 10], "INT8", quant={"scale": [1.0 / 256], "zero_point": [-128]})
    m.op("SOFTMAX", ["logits"], ["probabilities"], "SoftmaxOptions", {"beta": beta})
    m.write(path, ["logits"], ["probabilities"])


def main():
    x = rng.uniform(-1, 1, SHAPES["input"]).astype(np.float32)
    calib = reference(x)
    # Widen the calibration ranges with a few more random inputs.
    for _ in range(8):
        other = reference(rng.uniform(-1, 1, SHAPES["input"]).astype(np.float32))
        for k in calib:
            calib[k] = np.concatenate([calib[k].ravel(), other[k].ravel()])
    ref = reference(x)
    x.tofile(os.path.join(HERE, "input.bin"))
    ref["out0"].astype(np.float32).tofile(os.path.join(HERE, "expected_0.bin"))
    ref["out1"].astype(np.float32).tofile(os.path.join(HERE, "expected_1.bin"))
    ref["out2"].astype(np.float32).tofile(os.path.join(HERE, "expected_2.bin"))
    seeds = os.path.join(HERE, "..", "..", "fuzz", "tflite_seeds")
    for quantized, name in ((False, "ops_float.tflite"), (True, "ops_int8.tflite")):
        m, inputs, outputs = build(quantized, calib)
        m.write(os.path.join(HERE, name), inputs, outputs)
        shutil.copyfile(os.path.join(HERE, name), os.path.join(seeds, name))  # fuzz seed corpus

    softmax_beta_model(os.path.join(HERE, "softmax_beta_int8.tflite"), 0.5, 0.1)
    softmax_beta_model(os.path.join(HERE, "softmax_beta_twin_int8.tflite"), 1.0, 0.05)

    bad = os.path.join(HERE, "malformed")
    os.makedirs(bad, exist_ok=True)
    malformed(os.path.join(bad, "schema_version_2.tflite"), lambda m: 2)

    def lstm(m):
        m.ops[5]["opcode_index"] = m.code("LSTM")
        m.ops[5].pop("builtin_options_type", None)
        m.ops[5].pop("builtin_options", None)
    malformed(os.path.join(bad, "unsupported_lstm.tflite"), lstm)

    def bad_index(m):
        m.ops[3]["inputs"][0] = 999
    malformed(os.path.join(bad, "tensor_index_out_of_range.tflite"), bad_index)

    def short_buffer(m):
        m.buffers[m.tensors[m.index["w1"]]["buffer"]]["data"] = [0] * 10
    malformed(os.path.join(bad, "weight_buffer_too_short.tflite"), short_buffer)

    def sparse_filter(m):
        # w1 marked as a sparse (CSR-compressed) filter; its buffer stays the dense data, which
        # a reader ignoring the sparsity field would silently accept.
        shape = m.tensors[m.index["w1"]]["shape"]
        m.tensors[m.index["w1"]]["sparsity"] = {
            "traversal_order": list(range(len(shape))),
            "dim_metadata": [{"format": "DENSE", "dense_size": shape[0]}]
            + [{"format": "SPARSE_CSR"} for _ in shape[1:]]}
    malformed(os.path.join(bad, "sparse_filter.tflite"), sparse_filter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
