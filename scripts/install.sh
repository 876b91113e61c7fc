#!/usr/bin/env bash
# Install assess2plan into ./.venv from the project's own files (offline-safe, CPU-only).
# torch is installed first, pinned by constraints.txt, so nothing pulls the CUDA builds.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, found {sys.version}"'
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/pip install -q -c constraints.txt "torch==2.13.0"
.venv/bin/pip install -q -c constraints.txt -e ".[dev]"
echo "assess2plan installed in .venv (a2p: .venv/bin/a2p)"
