#!/usr/bin/env bash
# Installs the Debian packages kiln needs to build, test and run its examples. Idempotent:
# apt-get skips what is already installed. Runs as root (or via sudo when available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler  # TFLite frontend (src/frontend/tflite_schema.fbs)
  nlohmann-json3-dev libcli11-dev libfmt-dev zlib1g-dev
  libgecode-dev  # tiling solver (src/tiling/)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  qemu-system-arm gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc  # kiln bench
  nodejs
  dataset-fashion-mnist  # examples/fashion_mnist, accuracy tests (scripts/accuracy.sh)
)
# npm ships inside some nodejs builds (e.g. NodeSource's); Debian packages it separately.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
