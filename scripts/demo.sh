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
