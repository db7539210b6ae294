#!/usr/bin/env bash
# kiln's main job on the bundled example: compile the MNIST network to dependency-free C99,
# then verify the generated C against kiln's interpreter and PyTorch's reference outputs.
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
echo
echo "Predicted digits, int8 on the emulated Cortex-M4 (held-out test images 8000..8002):"
labels=examples/mnist/data/digits-labels-idx1-ubyte
sed -n 's/^ *test_data_set_\([0-9]*\) .*top-1 index \([0-9]*\), \([0-9,]*\) instructions.*/\1 \2 \3/p' \
  out/mnist_bench_cortex-m4.txt |
  while read -r k digit instructions; do
    # IDX label file: 8-byte header, then one byte per image.
    label=$(od -An -tu1 -j $((8 + 8000 + k)) -N1 "$labels" | tr -d ' ')
    echo "  image $((8000 + k)): predicted $digit (label $label), $instructions instructions"
  done
echo "  (a prediction that differs from its label is the network's own error: PyTorch's float"
echo "   logits, which kiln verify matched above, predict the same digit)"
