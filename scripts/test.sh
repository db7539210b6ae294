#!/usr/bin/env bash
# Installs what is missing, builds kiln twice (gcc release build; clang build with
# AddressSanitizer + UndefinedBehaviorSanitizer and the libFuzzer targets) and runs the whole
# test suite under ctest in both (the sanitized run first; the fuzz target only exists there).
# The run ends with the main suite's ctest summary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

scripts/install_deps.sh
[ -x scripts/setup_npm.sh ] && scripts/setup_npm.sh

echo "== build (gcc) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

echo "== build (clang, ASan+UBSan, libFuzzer) =="
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKILN_SANITIZE=ON -DKILN_FUZZ=ON >/dev/null
cmake --build build-asan -j"$jobs"

echo "== tests under ASan+UBSan =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== full test suite =="
ctest --test-dir build --output-on-failure -j"$jobs"
