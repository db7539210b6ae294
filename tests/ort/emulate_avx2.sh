#!/usr/bin/env bash
# Runs a command with `node` (hence ONNX Runtime, via run_ort.js) emulated on an AVX2 CPU without
# AVX-512 or VNNI (QEMU user mode, -cpu Haswell-v4), to see what ONNX Runtime computes on such a
# machine: its int8 kernels then sum int16 pairs with saturation (docs/quantization.md,
# "ONNX Runtime's int8 results depend on the CPU"). Everything else runs natively.
#
#   tests/ort/emulate_avx2.sh /usr/bin/python3 tests/data/ort_int8/make_ort_references.py --probe-only
#   tests/ort/emulate_avx2.sh build/tests/kiln_realmodel_tests --gtest_filter='*Live*'
#
# Installs Debian's qemu-user when missing. Slow (node under emulation): minutes, not seconds.
set -euo pipefail
if ! command -v qemu-x86_64 >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q qemu-user
fi
real_node="$(command -v node)"
wrapper_dir="$(mktemp -d)"
trap 'rm -rf "$wrapper_dir"' EXIT
cat >"$wrapper_dir/node" <<WRAPPER
#!/bin/sh
# QEMU warns about host CPUID features TCG lacks; those lines are noise here.
exec qemu-x86_64 -cpu Haswell-v4 "$real_node" "\$@" 2> >(grep -v '^qemu-x86_64: warning' >&2)
WRAPPER
sed -i '1s|.*|#!/bin/bash|' "$wrapper_dir/node"
chmod +x "$wrapper_dir/node"
PATH="$wrapper_dir:$PATH" "$@"
