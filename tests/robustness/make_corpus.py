#!/usr/bin/python3
"""Hostile inputs for the kiln CLI (issue 13) and the answer each must get.

Writes small cases into tests/robustness/corpus/ (committed) together with cases.json, the
manifest that tests/robustness/run_corpus.py executes. Large cases (a 10 MB name, JSON nested
100,000 deep, a 5 MiB config) are described in the manifest with a generator name and written
by run_corpus.py into a temporary directory at test time: they are not committed.

Only the standard library is used (ONNX protobufs are encoded by hand below), so the test runs
on any machine with /usr/bin/python3.

    /usr/bin/python3 tests/robustness/make_corpus.py          # regenerate the corpus
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# --- a minimal protobuf writer for the ONNX messages the corpus needs ------------------------


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_bytes(number, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_int(number, value):
    return varint(number << 3) + varint(value)


def field_float(number, value):
    return varint(number << 3 | 5) + struct.pack("<f", value)


FLOAT, INT8, INT32 = 1, 3, 6


def value_info(name, elem_type, dims):  # name: str, or bytes for names that are not UTF-8
    shape = b"".join(field_bytes(1, field_int(1, d)) for d in dims)
    tensor_type = field_int(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def tensor(name, elem_type, dims, raw):
    out = b"".join(field_int(1, d) for d in dims) + field_int(2, elem_type)
    return out + field_bytes(8, name) + field_bytes(9, raw)


def attribute_int(name, value):
    return field_bytes(1, name) + field_int(3, value) + field_int(20, 2)


def node(op_type, inputs, outputs, name, attributes=()):
    out = b"".join(field_bytes(1, i) for i in inputs)
    out += b"".join(field_bytes(2, o) for o in outputs)
    out += field_bytes(3, name) + field_bytes(4, op_type)
    return out + b"".join(field_bytes(5, a) for a in attributes)


def model(nodes, inputs, outputs, initializers=(), graph_name="g", opset=13):
    graph = b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, graph_name)
    graph += b"".join(field_bytes(5, t) for t in initializers)
    graph += b"".join(field_bytes(11, v) for v in inputs)
    graph += b"".join(field_bytes(12, v) for v in outputs)
    opset_import = field_bytes(1, "") + field_int(2, opset)
    return field_int(1, 8) + field_bytes(2, "make_corpus") + field_bytes(7, graph) + \
        field_bytes(8, opset_import)


def relu_model(node_name="relu", x="x", y="y", dims=(1, 1, 28, 28), op="Relu"):
    return model([node(op, [x], [y], node_name)], [value_info(x, FLOAT, dims)],
                 [value_info(y, FLOAT, dims)])


def requant_overflow_model():
    """QDQ Conv whose scales make the requantization multiplier x_scale * w_scale / y_scale
    = 1e-3 * 1e30 / 1e-3 = 1e30: too large for a fixed-point multiplier."""
    scalar = lambda name, v: tensor(name, FLOAT, [], struct.pack("<f", v))
    zero = lambda name: tensor(name, INT8, [], b"\0")
    nodes = [
        node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], "quant_x"),
        node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], "dequant_x"),
        node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], "dequant_w"),
        node("Conv", ["xd", "wd"], ["c"], "conv"),
        node("QuantizeLinear", ["c", "ys", "yz"], ["cq"], "quant_y"),
        node("DequantizeLinear", ["cq", "ys", "yz"], ["y"], "dequant_y"),
    ]
    inits = [scalar("xs", 1e-3), zero("xz"), scalar("ws", 1e30), zero("wz"),
             scalar("ys", 1e-3), zero("yz"), tensor("w", INT8, [1, 1, 1, 1], b"\x01")]
    return model(nodes, [value_info("x", FLOAT, [1, 1, 4, 4])],
                 [value_info("y", FLOAT, [1, 1, 4, 4])], inits)


def idx(type_code, dims, payload=b""):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + \
        payload


# --- large cases, written at test time (run_corpus.py calls these by name) -------------------


def big_name_model(path):
    """A node named by 10 MiB of 'a' with an op kiln does not know: the error names it."""
    with open(path, "wb") as f:
        f.write(relu_model(node_name="a" * (10 << 20), op="NoSuchOp"))


def deep_json(path):
    with open(path, "w") as f:
        f.write("[" * 100000 + "]" * 100000)


def deep_json_observer(path):
    with open(path, "w") as f:
        f.write('{"observer": ' + "[" * 100000 + "]" * 100000 + "}")


def huge_json(path):
    with open(path, "w") as f:
        f.write(" " * (5 << 20) + "{}")


GENERATORS = {f.__name__: f for f in (big_name_model, deep_json, deep_json_observer, huge_json)}

# --- the cases -------------------------------------------------------------------------------
# Each case: name, kind (the category), args of `kiln` ({c} = the corpus directory,
# {t} = a scratch directory for this case, {g} = the generated file), the expected exit code,
# substrings the single stderr line must contain, and paths that must not exist afterwards
# (nothing written on failure).

MNIST = "{c}/relu_28x28.onnx"


def cases():
    out = []

    def case(name, kind, args, exit_code, expect, absent=(), generate=None):
        out.append({"name": name, "kind": kind, "args": args, "exit": exit_code,
                    "expect": list(expect), "absent": list(absent),
                    **({"generate": generate} if generate else {})})

    # Names printed raw.
    case("name_newline", "message: name with a newline", ["inspect", "{c}/name_newline.onnx"],
         1, ["{c}/name_newline.onnx", "'relu\\nkiln: error: forged'", "unsupported op"])
    case("name_ansi", "message: name with ANSI escapes", ["inspect", "{c}/name_ansi.onnx"], 1,
         ["'\\x1b[2J\\x1b[Hcleared'"])
    case("name_10mb", "message: 10 MiB name", ["inspect", "{g}"], 1,
         ["(10485760 bytes)", "unsupported op"], generate="big_name_model")
    case("name_not_utf8_tensor", "message: non-UTF-8 tensor name",
         ["compile", "{c}/name_not_utf8_tensor.onnx", "-o", "{t}/out"], 1,
         ["{c}/name_not_utf8_tensor.onnx", "'y\\xff'", "not UTF-8"], absent=["{t}/out"])
    case("name_not_utf8_node", "message: non-UTF-8 node name",
         ["inspect", "{c}/name_not_utf8_node.onnx"], 1, ["'relu\\xfe\\xff'", "not UTF-8"])
    case("requant_overflow", "message: error after loading names file and node",
         ["compile", "{c}/requant_overflow.onnx", "-o", "{t}/out", "--requant", "fixed"], 1,
         ["{c}/requant_overflow.onnx: ", "node 'conv'", "1e+30"], absent=["{t}/out"])
    # Readers without a size bound.
    case("model_dev_zero", "reader: model is a device", ["compile", "/dev/zero", "-o", "{t}/o"],
         1, ["/dev/zero", "not a regular file"], absent=["{t}/o"])
    case("model_directory", "reader: model is a directory", ["inspect", "{c}"], 1,
         ["is a directory"])
    case("quant_config_deep", "reader: JSON nested 100,000 deep",
         ["compile", MNIST, "-o", "{t}/out", "--quant-config", "{g}"], 1,
         ["{g}", "nested deeper than 8"], absent=["{t}/out"], generate="deep_json")
    case("quant_config_deep_observer", "reader: deep JSON under a valid key",
         ["compile", MNIST, "-o", "{t}/out", "--quant-config", "{g}"], 1,
         ["{g}", "nested deeper than 8"], absent=["{t}/out"], generate="deep_json_observer")
    case("quant_config_dev_zero", "reader: config is a device",
         ["compile", MNIST, "-o", "{t}/out", "--quant-config", "/dev/zero"], 1,
         ["/dev/zero", "not a regular file"], absent=["{t}/out"])
    case("quant_config_5mib", "reader: config over the size limit",
         ["compile", MNIST, "-o", "{t}/out", "--quant-config", "{g}"], 1,
         ["{g}", "larger than the 4 MiB limit"], absent=["{t}/out"], generate="huge_json")
    case("class_names_dev_zero", "reader: class names from a device",
         ["eval", MNIST, "--dataset", "{c}/one-images-idx3-ubyte", "--class-names", "/dev/zero"],
         1, ["/dev/zero", "--class-names", "not a regular file"])
    case("idx_images_2g_items", "reader: IDX header claims 2^31-1 images",
         ["eval", MNIST, "--dataset", "{c}/huge-images-idx3-ubyte"], 1,
         ["huge-images-idx3-ubyte", "2147483647 items", "more than the file can hold"])
    case("idx_labels_2g_items", "reader: IDX labels header claims 2^31-1 labels",
         ["eval", MNIST, "--dataset", "{c}/lab-images-idx3-ubyte"], 1,
         ["lab-labels-idx1-ubyte", "2147483647 items", "more than the file can hold"])
    case("calibration_dev_zero", "reader: calibration data is a device",
         ["compile", MNIST, "-o", "{t}/out", "--quantize", "int8", "--calibration", "/dev/zero"],
         1, ["/dev/zero", "not a regular file or directory"], absent=["{t}/out"])
    # --name colliding with kernel files or not an identifier.
    for name in ("kiln_copy", "kiln_conv_f32", "kiln_common", "kiln_math"):
        case("name_" + name, "output: --name collides with a kernel file",
             ["compile", MNIST, "-o", "{t}/out", "--name", name], 2,
             ["--name '%s'" % name, "kernel file"], absent=["{t}/out"])
    for label, name in (("digit", "1net"), ("dash", "my-net"), ("path", "../net")):
        case("name_" + label, "output: --name is not a C identifier",
             ["compile", MNIST, "-o", "{t}/out", "--name", name], 2,
             ["--name '%s'" % name, "not a C identifier"], absent=["{t}/out"])
    # Option values.
    for label, args, expect in (
            ("shape_empty", ["inspect", MNIST, "--shape", "x="], "missing dimensions"),
            ("shape_word", ["inspect", MNIST, "--shape", "x=1,two"], "'two' is not a dimension"),
            ("kernels_bogus", ["compile", MNIST, "-o", "{t}/out", "--kernels", "bogus"],
             "unknown kernel set 'bogus'"),
            ("quantize_int3", ["compile", MNIST, "-o", "{t}/out", "--quantize", "int3"],
             "--quantize: invalid value 'int3'"),
            ("percentile_200", ["compile", MNIST, "-o", "{t}/out", "--quantize", "int8",
                                "--calibration", "{c}", "--percentile", "200"],
             "--percentile: invalid value '200'"),
            ("rtol_nan", ["verify", MNIST, "--rtol", "nan"], "--rtol"),
            ("atol_inf", ["verify", MNIST, "--atol", "inf"], "--atol"),
            ("seed_negative", ["verify", MNIST, "--seed", "-1"], "--seed"),
            ("calibration_samples_0", ["compile", MNIST, "-o", "{t}/out", "--quantize", "int8",
                                       "--calibration", "{c}", "--calibration-samples", "0"],
             "--calibration-samples: invalid value '0'")):
        case("option_" + label, "command line: invalid option value", args, 2, [expect],
             absent=["{t}/out"])
    return out


def write_corpus():
    os.makedirs(CORPUS, exist_ok=True)
    files = {
        "relu_28x28.onnx": relu_model(),
        "name_newline.onnx": relu_model(node_name="relu\nkiln: error: forged", op="NoSuchOp"),
        "name_ansi.onnx": relu_model(node_name="\x1b[2J\x1b[Hcleared", op="NoSuchOp"),
        "requant_overflow.onnx": requant_overflow_model(),
        # 16-byte IDX images header claiming 2^31-1 images of 28x28 bytes.
        "huge-images-idx3-ubyte": idx(0x08, [2**31 - 1, 28, 28]),
        # One real 28x28 image (also the class-names case's dataset) ...
        "one-images-idx3-ubyte": idx(0x08, [1, 28, 28], bytes(784)),
        "one-labels-idx1-ubyte": idx(0x08, [1], b"\x03"),
        # ... and one whose labels file claims 2^31-1 labels.
        "lab-images-idx3-ubyte": idx(0x08, [1, 28, 28], bytes(784)),
        "lab-labels-idx1-ubyte": idx(0x08, [2**31 - 1]),
    }
    # Names that are not UTF-8: bytes, not str.
    files["name_not_utf8_tensor.onnx"] = relu_model(y=b"y\xff")
    files["name_not_utf8_node.onnx"] = relu_model(node_name=b"relu\xfe\xff")
    for name, data in files.items():
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
    with open(os.path.join(CORPUS, "cases.json"), "w") as f:
        json.dump(cases(), f, indent=1)
        f.write("\n")
    print("wrote %d files and %d cases to %s" % (len(files), len(cases()), CORPUS))


if __name__ == "__main__":
    write_corpus()
