#!/usr/bin/env python3
"""Writes ONNX Runtime's integer outputs for kiln's int8 models as committed reference data, on a
machine where ONNX Runtime's int8 kernels compute the ONNX specification exactly.

Why: ONNX Runtime's int8 results depend on the CPU. Its MLAS library picks the int8 GEMM/conv
kernel by CPU feature; the AVX2 u8s8 kernels multiply with VPMADDUBSW, whose int16 pair sums
saturate, while AVX-512 VNNI (and AVX-VNNI) kernels accumulate in int32 and do not. A test that
asks a live ONNX Runtime for integers therefore passes or fails with the machine. kiln's
exactness tests compare with the data written here instead (tests/realmodel/*int8*, qdq_ops);
the live comparison stays, gated by the probe below (see docs/quantization.md, "Agreement with
ONNX Runtime").

How exactness is established (both must hold, or nothing is written):
  1. The probe (probe.onnx, written here): QDQ Conv 1x1 (per-channel weights, int32 bias),
     depthwise Conv 3x3, Gemm (transB) and MatMul (per-tensor weights), all with int8
     activations, in the forms the MLPerf Tiny models use, each inside a quantized chain so
     that ONNX Runtime fuses it into QLinearConv / QGemm / QLinearMatMul (checked: ONNX
     Runtime's optimized graph holds those four kernels). Sample 0 has every activation and
     the probed weights at 127, where every int16 pair sum of a saturating kernel clips
     (2 * 254 * 127 > 32767); sample 1 is random over the full int8 range. All scales are powers of two and every
     accumulator is below 2^24, so ONNX Runtime's float32 requantization (float(acc) * scale,
     round half to even) is exact and the specification's result is computed here with numpy
     integers (probe_spec.bin). ONNX Runtime at its default optimization level must equal it
     bit for bit. probe_saturated.bin is what a kernel with int16 pair saturation gives on sample
     0 (independent of how the kernel packs K, since all pairs are equal), so the tests can name
     the cause when a machine disagrees.
  2. For every model, ONNX Runtime's default execution (level "all", integer QLinear* kernels)
     is compared with its float32 reading of the same QDQ graph (level "basic": dequantize,
     float op, quantize). The counts are recorded in manifest.json: they differ only where
     float32 summation order moves a value across a rounding boundary.

Inputs are the tests' historical ones (std::mt19937 with the seed in MODELS, see
mt19937_int8_samples), so the figures in docs/quantization.md stay comparable.

Files: probe.onnx, probe_inputs.bin, probe_spec.bin, probe_saturated.bin; per model a folder
<name>/ with inputs.bin (samples back to back, the model's inputs in order), ort_all.bin and
ort_basic.bin (outputs back to back, in output order); manifest.json (shapes, dtypes, sample
counts, the ONNX Runtime version, the CPU and its features, the probe's verdict and the
all-vs-basic agreement).

Run from the repository root, with onnxruntime-node installed (scripts/setup_npm.sh):
  /usr/bin/python3 tests/data/ort_int8/make_ort_references.py [--probe-only]
--probe-only writes and runs the probe and stops: it tells whether this machine's ONNX Runtime
computes int8 products exactly. Measured with the probe (2026-12-07, onnxruntime-node 1.30.0):
on an AMD EPYC with AVX-512 VNNI all four products are exact; the same ONNX Runtime under
`qemu-x86_64 -cpu Haswell-v4` (AVX2, no VNNI) gives the saturation model's value for the 1x1
Conv, Gemm and MatMul (64 -> 2, 36 -> 2) and stays exact for the depthwise Conv, whose kernel
does not sum pairs; on kws_int8 it then agrees with the committed data on 1086/1200 elements
(max 46 LSB), the failure reported in issue 11.
Needs python3-onnx and python3-numpy (Debian). Inputs are seeded, so a rerun on a machine where
the probe is exact reproduces the files byte for byte."""
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
RUN_ORT = os.path.join(ROOT, "tests", "ort", "run_ort.js")
MLPERF = os.path.join(ROOT, "..", "shared", "models", "mlperf-tiny", "onnx")
QDQ = os.path.join(ROOT, "tests", "data", "qdq")

# (reference name, model path relative to the repository root, samples, seed)
MODELS = [("kws_int8", "../shared/models/mlperf-tiny/onnx/kws_int8.onnx", 100, 811),
          ("ad01_int8", "../shared/models/mlperf-tiny/onnx/ad01_int8.onnx", 100, 812),
          ("streaming_ww_int8", "../shared/models/mlperf-tiny/onnx/streaming_ww_int8.onnx", 100,
           813)]
QDQ_OPS = ["avgpool_same_params", "avgpool_rescale", "avgpool_3x3_pad",
           "avgpool_count_include_pad", "op_add", "op_add_broadcast", "op_sub", "op_mul",
           "op_concat", "op_sigmoid", "op_tanh", "op_softmax", "op_relu", "op_leaky_relu",
           "op_max_pool", "op_global_average_pool", "op_gemm", "op_matmul", "op_conv_relu"]
MODELS += [(name, "tests/data/qdq/%s.onnx" % name, 50, 7) for name in QDQ_OPS]

NP_DTYPES = {TensorProto.FLOAT: np.float32, TensorProto.INT8: np.int8, TensorProto.UINT8: np.uint8,
             TensorProto.INT16: np.int16, TensorProto.INT32: np.int32}
ORT_NAMES = {np.float32: "float32", np.int8: "int8", np.uint8: "uint8", np.int16: "int16",
             np.int32: "int32"}

# ---- the probe ---------------------------------------------------------------------------------

PROBE_C, PROBE_HW, PROBE_OUT = 64, 3, 16  # x [1, 64, 3, 3]; K = 64 (1x1), 9 (dw), 576 (gemm)
X_EXP, Y_EXP = -4, 4                     # activation scales 2^-4 in, 2^4 out


def probe_weights(rng):
    """Weights: output channel 0 (and the whole first Gemm/MatMul column) all 127, where a
    saturating kernel clips on sample 0; the rest random over the full int8 range."""
    conv = rng.integers(-128, 128, size=(PROBE_OUT, PROBE_C, 1, 1)).astype(np.int8)
    conv[0] = 127
    dw = np.full((PROBE_C, 1, 3, 3), 127, np.int8)
    dw[PROBE_C // 2:] = rng.integers(-128, 128, size=(PROBE_C // 2, 1, 3, 3))
    k = PROBE_C * PROBE_HW * PROBE_HW
    gemm = rng.integers(-128, 128, size=(PROBE_OUT, k)).astype(np.int8)  # transB: [N, K]
    gemm[0] = 127
    matmul = rng.integers(-128, 128, size=(k, PROBE_OUT)).astype(np.int8)
    matmul[:, 0] = 127
    conv_bias = rng.integers(-5000, 5000, size=PROBE_OUT).astype(np.int32)
    conv_w_exp = np.array([-6 - (c % 3) for c in range(PROBE_OUT)])  # per-channel 2^-6..2^-8
    return conv, conv_w_exp, conv_bias, dw, gemm, matmul


# Weight scale exponents chosen so every output lands inside int8 for random inputs.
DW_W_EXP, GEMM_W_EXP, MATMUL_W_EXP = -5, -10, -10
# ONNX Runtime fuses DQ -> Conv/MatMul -> Q into its integer kernels only inside a quantized
# graph: the DQ must read a QuantizeLinear's output (not a graph input) and the Q's output must
# feed a DequantizeLinear (not be a graph output); otherwise it computes in float32, and the
# probe would test nothing. So x is requantized first (same scale, zero point -1: the kernels
# then see x - 1, stored with zero point -1) and every product's int8 result is requantized last
# (same scale, zero point +1). Both steps are exact integer shifts, which the spec below applies.
X_ZP, Y_ZP = -1, 1


def build_probe(rng):
    conv, conv_w_exp, conv_bias, dw, gemm, matmul = probe_weights(rng)
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, outputs, **attrs):
        nodes.append(helper.make_node(op, inputs, outputs, **attrs))

    def dq(x, scale, zp, out, axis=None):
        attrs = {} if axis is None else {"axis": axis}
        node("DequantizeLinear", [x, scale, zp], [out], **attrs)

    def q_out(x, out):
        scale, zp = const(out + "_scale", np.float32(2.0**Y_EXP)), const(out + "_zp", np.int8(0))
        node("QuantizeLinear", [x, scale, zp], [out + "_q"])
        dq(out + "_q", scale, zp, out + "_f")
        node("QuantizeLinear", [out + "_f", scale, const(out + "_zp_out", np.int8(Y_ZP))], [out])

    x_scale = const("x_scale", np.float32(2.0**X_EXP))
    x_zp_in, x_zp = const("x_zp_in", np.int8(0)), const("x_zp", np.int8(X_ZP))
    flat_shape = const("flat_shape", np.array([1, -1]))
    # Each product gets its own requantized copy of x: a Q or DQ with several consumers keeps
    # ONNX Runtime from fusing.
    node("Reshape", ["x", flat_shape], ["x_flat"])
    for consumer in ("conv", "dw", "gemm", "matmul"):
        source = "x_flat" if consumer in ("gemm", "matmul") else "x"
        dq(source, x_scale, x_zp_in, consumer + "_x_in_f")
        node("QuantizeLinear", [consumer + "_x_in_f", x_scale, x_zp], [consumer + "_x_q"])
        dq(consumer + "_x_q", x_scale, x_zp, consumer + "_x_f")

    w_scales = np.array([2.0**e for e in conv_w_exp], np.float32)
    dq(const("conv_w", conv), const("conv_w_scale", w_scales),
       const("conv_w_zp", np.zeros(PROBE_OUT, np.int8)), "conv_w_f", axis=0)
    dq(const("conv_b", conv_bias), const("conv_b_scale", (w_scales * np.float32(2.0**X_EXP))),
       const("conv_b_zp", np.zeros(PROBE_OUT, np.int32)), "conv_b_f", axis=0)
    node("Conv", ["conv_x_f", "conv_w_f", "conv_b_f"], ["conv"])
    q_out("conv", "y_conv")

    dq(const("dw_w", dw), const("dw_w_scale", np.full(PROBE_C, 2.0**DW_W_EXP, np.float32)),
       const("dw_w_zp", np.zeros(PROBE_C, np.int8)), "dw_w_f", axis=0)
    node("Conv", ["dw_x_f", "dw_w_f"], ["dw"], group=PROBE_C)
    q_out("dw", "y_dw")

    dq(const("gemm_w", gemm), const("gemm_w_scale", np.float32(2.0**GEMM_W_EXP)),
       const("gemm_w_zp", np.int8(0)), "gemm_w_f")
    node("Gemm", ["gemm_x_f", "gemm_w_f"], ["gemm"], transB=1)
    q_out("gemm", "y_gemm")

    dq(const("matmul_w", matmul), const("matmul_w_scale", np.float32(2.0**MATMUL_W_EXP)),
       const("matmul_w_zp", np.int8(0)), "matmul_w_f")
    node("MatMul", ["matmul_x_f", "matmul_w_f"], ["matmul"])
    q_out("matmul", "y_matmul")

    outputs = [("y_conv", [1, PROBE_OUT, PROBE_HW, PROBE_HW]), ("y_dw", [1, PROBE_C, 1, 1]),
               ("y_gemm", [1, PROBE_OUT]), ("y_matmul", [1, PROBE_OUT])]
    graph = helper.make_graph(
        nodes, "ort_int8_probe",
        [helper.make_tensor_value_info("x", TensorProto.INT8, [1, PROBE_C, PROBE_HW, PROBE_HW])],
        [helper.make_tensor_value_info(n, TensorProto.INT8, s) for n, s in outputs], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    return model, (conv, conv_w_exp, conv_bias, dw, gemm, matmul)


def requantize(acc, exp, zero_point=0):
    """The specification's QuantizeLinear(acc * 2^exp) with a zero point: round half to even,
    add, saturate to int8. Exact: acc * 2^exp is dyadic and numpy's rint rounds half to even."""
    return np.clip(np.rint(acc.astype(np.float64) * 2.0**exp) + zero_point, -128,
                   127).astype(np.int8)


def probe_output(acc, exp):
    """The int8 result of a product (zero point 0), then requantized to zero point Y_ZP."""
    return np.clip(requantize(acc, exp).astype(np.int64) + Y_ZP, -128, 127).astype(np.int8)


def stored_input(x):
    """x requantized to zero point X_ZP (what the kernels read) and the value it stands for."""
    stored = np.clip(x.astype(np.int64) + X_ZP, -128, 127)
    return stored, stored - X_ZP


def probe_spec(x, weights):
    """Integer QLinearConv / QGemm / QLinearMatMul of the probe per the ONNX specification."""
    conv, conv_w_exp, conv_bias, dw, gemm, matmul = weights
    a = stored_input(x)[1][0]  # [C, H, W], the real value in units of the input scale
    acc_conv = np.einsum("oc,chw->ohw", conv.astype(np.int64)[:, :, 0, 0], a)
    acc_conv += conv_bias.astype(np.int64)[:, None, None]
    y_conv = np.stack([probe_output(acc_conv[o], X_EXP + conv_w_exp[o] - Y_EXP)
                       for o in range(PROBE_OUT)])[None]
    acc_dw = np.einsum("chw,chw->c", dw.astype(np.int64)[:, 0], a)
    y_dw = probe_output(acc_dw, X_EXP + DW_W_EXP - Y_EXP).reshape(1, PROBE_C, 1, 1)
    flat = a.reshape(-1)
    acc_gemm, acc_matmul = gemm.astype(np.int64) @ flat, flat @ matmul.astype(np.int64)
    y_gemm = probe_output(acc_gemm, X_EXP + GEMM_W_EXP - Y_EXP)[None]
    y_matmul = probe_output(acc_matmul, X_EXP + MATMUL_W_EXP - Y_EXP)[None]
    for acc in (acc_conv, acc_dw, acc_gemm, acc_matmul):
        assert np.abs(acc).max() < 2**24, "float32(acc) must be exact"
    return [y_conv, y_dw, y_gemm, y_matmul]


def probe_saturated(weights):
    """What a u8s8 kernel with int16 pair saturation gives on sample 0 (x = 127 everywhere, stored
    as 126 with zero point -1): the activation is offset to uint8 (126 + 128 = 254), pairs of
    254 * w products are summed with saturation to int16, and the offset and zero point,
    (128 + X_ZP) * sum(w), are subtracted exactly. With equal pairs the result does not depend on
    how the kernel orders K."""
    conv, conv_w_exp, conv_bias, dw, gemm, matmul = weights
    u = int(stored_input(np.array([127]))[0][0]) + 128

    def saturated_dot(w):  # w: weights along K, all equal in the probed rows
        w = w.astype(np.int64)
        even = len(w) - len(w) % 2
        pairs = np.clip(u * (w[0:even:2] + w[1:even:2]), -32768, 32767).sum()
        tail = u * w[-1] if len(w) % 2 else 0
        return pairs + tail - (128 + X_ZP) * w.sum()

    acc_conv = saturated_dot(conv[0, :, 0, 0]) + int(conv_bias[0])
    accs = [(acc_conv, X_EXP + conv_w_exp[0] - Y_EXP),
            (saturated_dot(dw[0].reshape(-1)), X_EXP + DW_W_EXP - Y_EXP),
            (saturated_dot(gemm[0]), X_EXP + GEMM_W_EXP - Y_EXP),
            (saturated_dot(matmul[:, 0]), X_EXP + MATMUL_W_EXP - Y_EXP)]
    return np.array([probe_output(np.array(acc), exp) for acc, exp in accs], np.int8)


# ---- running ONNX Runtime ----------------------------------------------------------------------


def shape_of(value_info):
    dims = value_info.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") else 1 for d in dims]  # symbolic batch -> 1


def io_of(model_path):
    model = onnx.load(model_path)
    initializers = {i.name for i in model.graph.initializer}
    inputs = [(v.name, NP_DTYPES[v.type.tensor_type.elem_type], shape_of(v))
              for v in model.graph.input if v.name not in initializers]
    outputs = [(v.name, NP_DTYPES[v.type.tensor_type.elem_type], shape_of(v))
               for v in model.graph.output]
    return inputs, outputs


def run_ort(model_path, inputs, samples, level):
    """samples: list of lists of arrays (one per model input). Returns a list of lists of
    arrays (one per model output), as ONNX Runtime computed them at the given level."""
    with tempfile.TemporaryDirectory() as tmp:
        in_root, out_root = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        for s, arrays in enumerate(samples):
            d = os.path.join(in_root, "%04d" % s)
            os.makedirs(d)
            for i, ((name, dtype, shape), array) in enumerate(zip(inputs, arrays)):
                array.astype(dtype).tofile(os.path.join(d, "input_%d.bin" % i))
                with open(os.path.join(d, "input_%d.json" % i), "w") as f:
                    json.dump({"name": name, "shape": shape, "dtype": ORT_NAMES[dtype]}, f)
        subprocess.run(["node", RUN_ORT, "--optimization", level, model_path, in_root, out_root],
                       check=True, stdout=subprocess.DEVNULL)
        results = []
        for s in range(len(samples)):
            outs, j = [], 0
            while os.path.exists(os.path.join(out_root, "%04d" % s, "output_%d.json" % j)):
                with open(os.path.join(out_root, "%04d" % s, "output_%d.json" % j)) as f:
                    meta = json.load(f)
                dtype = {v: k for k, v in ORT_NAMES.items()}[meta["dtype"]]
                outs.append(np.fromfile(os.path.join(out_root, "%04d" % s, "output_%d.bin" % j),
                                        dtype))
                j += 1
            results.append(outs)
        return results


def mt19937_int8_samples(seed, count, inputs):
    """The tests' historical inputs: std::mt19937(seed), one draw per int8 element, its top byte,
    sample after sample and input after input. numpy's legacy RandomState seeds MT19937 the way
    std::mt19937 does, and randint over the full uint32 range returns its raw draws."""
    for name, dtype, _ in inputs:
        assert dtype == np.int8, "%s: only int8 inputs are generated" % name
    sizes = [int(np.prod(shape)) for _, _, shape in inputs]
    draws = np.random.RandomState(seed).randint(0, 2**32, size=count * sum(sizes), dtype=np.uint32)
    values = (draws >> 24).astype(np.uint8).view(np.int8)
    samples, offset = [], 0
    for _ in range(count):
        sample = []
        for (_, _, shape), size in zip(inputs, sizes):
            sample.append(values[offset:offset + size].reshape(shape))
            offset += size
        samples.append(sample)
    return samples


def cpu_description():
    model_name, flags = platform.machine(), []
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model_name = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = line.split(":", 1)[1].split()
                break
    relevant = ["sse4_1", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                "avx512_vnni", "avx_vnni", "amx_int8"]
    return {"model": model_name, "features": [f for f in relevant if f in flags]}


def ort_version():
    out = subprocess.run(["node", "-e", "console.log(require('onnxruntime-node/package.json')"
                          ".version)"], cwd=os.path.dirname(RUN_ORT), check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def main():
    rng = np.random.default_rng(20261207)
    model, weights = build_probe(rng)
    probe_path = os.path.join(HERE, "probe.onnx")
    onnx.save(model, probe_path)
    x_uniform = np.full((1, PROBE_C, PROBE_HW, PROBE_HW), 127, np.int8)
    x_random = rng.integers(-128, 128, size=x_uniform.shape).astype(np.int8)
    probe_inputs = [x_uniform, x_random]
    np.concatenate([x.reshape(-1) for x in probe_inputs]).tofile(
        os.path.join(HERE, "probe_inputs.bin"))
    spec = [probe_spec(x, weights) for x in probe_inputs]
    np.concatenate([y.reshape(-1) for sample in spec for y in sample]).tofile(
        os.path.join(HERE, "probe_spec.bin"))
    saturated = probe_saturated(weights)
    saturated.tofile(os.path.join(HERE, "probe_saturated.bin"))

    probe_io = io_of(probe_path)
    ort_probe = run_ort(probe_path, probe_io[0], [[x] for x in probe_inputs], "all")
    mismatches = sum(int(np.count_nonzero(a.reshape(-1) != b.reshape(-1)))
                     for s in range(2) for a, b in zip(ort_probe[s], spec[s]))
    print("probe: ONNX Runtime (level all) vs the specification: %d mismatching elements" %
          mismatches)
    print("probe: first outputs, spec %s, saturating kernel %s, ONNX Runtime %s" %
          ([int(y.reshape(-1)[0]) for y in spec[0]], saturated.tolist(),
           [int(y.reshape(-1)[0]) for y in ort_probe[0]]))
    if "--probe-only" in sys.argv:
        sys.exit(1 if mismatches else 0)
    if mismatches:
        sys.exit("make_ort_references: ONNX Runtime's int8 kernels do not compute the "
                 "specification on this CPU (the probe differs); make the references on a "
                 "machine where the probe is exact (AVX-512 VNNI or AVX-VNNI)")

    manifest = {
        "generator": "tests/data/ort_int8/make_ort_references.py",
        "date": datetime.date.today().isoformat(),
        "onnxruntime_node": ort_version(),
        "cpu": cpu_description(),
        "probe": {
            "model": "tests/data/ort_int8/probe.onnx", "samples": 2,
            "inputs": [{"name": n, "dtype": ORT_NAMES[d], "shape": s} for n, d, s in probe_io[0]],
            "outputs": [{"name": n, "dtype": ORT_NAMES[d], "shape": s}
                        for n, d, s in probe_io[1]],
            "mismatches_vs_spec": mismatches,
        },
        "models": [],
    }
    for name, rel_path, count, seed in MODELS:
        path = os.path.normpath(os.path.join(ROOT, rel_path))
        inputs, outputs = io_of(path)
        samples = mt19937_int8_samples(seed, count, inputs)
        ort_all = run_ort(path, inputs, samples, "all")
        ort_basic = run_ort(path, inputs, samples, "basic")
        folder = os.path.join(HERE, name)
        os.makedirs(folder, exist_ok=True)
        np.concatenate([a.reshape(-1).view(np.uint8) for s in samples for a in s]).tofile(
            os.path.join(folder, "inputs.bin"))
        for level, results in (("all", ort_all), ("basic", ort_basic)):
            np.concatenate([a.reshape(-1).view(np.uint8) for s in results for a in s]).tofile(
                os.path.join(folder, "ort_%s.bin" % level))
        a = np.concatenate([y.reshape(-1).astype(np.int64) for s in ort_all for y in s])
        b = np.concatenate([y.reshape(-1).astype(np.int64) for s in ort_basic for y in s])
        agreement = {"elements": int(a.size), "equal": int(np.count_nonzero(a == b)),
                     "max_diff": int(np.abs(a - b).max())}
        print("%-28s %3d samples; ORT all vs basic: %d/%d equal, max diff %d" %
              (name, count, agreement["equal"], agreement["elements"], agreement["max_diff"]))
        manifest["models"].append({
            "name": name, "model": rel_path, "samples": count, "seed": seed,
            "inputs": [{"name": n, "dtype": ORT_NAMES[d], "shape": s} for n, d, s in inputs],
            "outputs": [{"name": n, "dtype": ORT_NAMES[d], "shape": s} for n, d, s in outputs],
            "all_vs_basic": agreement,
        })
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
