#!/usr/bin/env bash
# kiln's main job on the bundled example: compile the MNIST network to dependency-free C99,
# verify the generated C against kiln's interpreter and PyTorch's reference outputs, run it as
# int8 firmware on an emulated Cortex-M4, and show what it does: a few held-out digits with its
# predictions, and its accuracy over all 2,000 held-out digits.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
if [ ! -x build/kiln ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j"$(nproc)" --target kiln >/dev/null

echo "== kiln compile examples/mnist/mnist.onnx -o out/mnist --name mnist =="
build/kiln compile examples/mnist/mnist.onnx -o out/mnist --name mnist
echo
echo "== kiln verify examples/mnist/mnist.onnx --inputs examples/mnist =="
build/kiln verify examples/mnist/mnist.onnx --inputs examples/mnist
echo
# The same network quantized to int8 (post-training, calibrated on 500 training digits; the
# generated code is integer-only) as firmware on an emulated Cortex-M4 (QEMU mps2-an386): exact
# instructions per inference, flash and RAM, outputs checked bit for bit against the interpreter.
digits=examples/mnist/data/digits-images-idx3-ubyte
echo "== kiln bench examples/mnist/mnist.onnx --target cortex-m4 --quantize int8" \
  "--calibration $digits --preprocess scale=1/255 --calibration-samples 500 --inputs examples/mnist =="
mkdir -p out
build/kiln bench examples/mnist/mnist.onnx --target cortex-m4 --inputs examples/mnist \
  --quantize int8 --calibration "$digits" --preprocess scale=1/255 --calibration-samples 500 \
  --no-progress --json out/mnist_bench_cortex-m4.json | tee out/mnist_bench_cortex-m4.txt

# What the network does: the int8 build on all 2,000 held-out digits (never seen in training),
# with kiln's interpreter, which the bench above showed equal to the firmware bit for bit.
echo
echo "== kiln eval examples/mnist/mnist.onnx --dataset $digits --preprocess scale=1/255" \
  "--skip 8000 --limit 2000 --quantize int8 --calibration $digits --calibration-samples 500 =="
build/kiln eval examples/mnist/mnist.onnx --dataset "$digits" --preprocess scale=1/255 \
  --skip 8000 --limit 2000 --quantize int8 --calibration "$digits" --calibration-samples 500 \
  --no-details --no-progress --json out/mnist_eval.json
echo
/usr/bin/python3 - "$digits" examples/mnist/data/digits-labels-idx1-ubyte out/mnist_eval.json \
  out/mnist_bench_cortex-m4.txt <<'PY'
# Draws the first six held-out digits as text with the int8 build's prediction and the label,
# then the accuracy over all held-out digits and the Cortex-M4 firmware's predictions.
import json, re, sys
images, labels, eval_json, bench_txt = sys.argv[1:]
first, shown = 8000, 6
pixels = open(images, "rb").read()
label_bytes = open(labels, "rb").read()
results = json.load(open(eval_json))["results"]
float_result, int8 = results[0], results[-1]
ramp = " .:-=+*#%@"

def rows_of(k):
    # 28x28 pixels as 14 text rows of 28 characters: two pixel rows per character row.
    base = 16 + (first + k) * 784
    img = pixels[base:base + 784]
    return ["".join(ramp[min(9, (img[y * 28 + x] + img[(y + 1) * 28 + x]) * 10 // 512)]
                    for x in range(28)) for y in range(0, 28, 2)]

print(f"The first {shown} held-out digits (never seen in training), as the int8 build sees them:")
for start in range(0, shown, 3):
    ks = range(start, min(start + 3, shown))
    drawn = [rows_of(k) for k in ks]
    for line in range(14):
        print("   " + "    ".join(d[line] for d in drawn))
    captions = []
    for k in ks:
        label, predicted = label_bytes[8 + first + k], int8["predictions"][k]
        verdict = "right" if predicted == label else "WRONG"
        captions.append(f"#{first + k}: {predicted} (label {label}, {verdict})".ljust(28))
    print("   " + "    ".join(captions))
    print()
n = int8["samples"]
print(f"Accuracy on all {n:,} held-out digits: int8 {int8['top1_correct']:,}/{n:,} = "
      f"{100 * int8['top1']:.2f} %, float {float_result['top1_correct']:,}/{n:,} = "
      f"{100 * float_result['top1']:.2f} % (kiln eval above)")
bench = re.findall(r"test_data_set_(\d+) .*top-1 index (\d+), ([\d,]+) instructions",
                   open(bench_txt).read())
m4 = ", ".join(f"#{first + int(k)}: {d} ({i} instructions)" for k, d, i in bench)
same = all(int(d) == int8["predictions"][int(k)] for k, d, _ in bench)
print(f"On the emulated Cortex-M4 (kiln bench above): {m4}"
      f" -- {'the same digits' if same else 'DIFFERENT digits'} as the int8 build here.")
PY
