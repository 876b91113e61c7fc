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

# W3C SPARQL 1.1 test suite, as shipped in the source package of the installed rdflib, into the
# git-ignored var/w3c/sparql11 (tests/reliability/test_w3c_sparql.py skips when it is absent)
if [ ! -f var/w3c/sparql11/manifest-all.ttl ]; then
  w3c_tmp=$(mktemp -d)
  rdflib_version=$(.venv/bin/python -c 'import rdflib; print(rdflib.__version__)')
  if timeout 300 .venv/bin/pip download -q --no-deps --no-binary :all: -d "$w3c_tmp" \
       "rdflib==$rdflib_version" >/dev/null 2>&1; then
    .venv/bin/python - "$w3c_tmp"/rdflib-*.tar.gz var/w3c/sparql11 <<'PY'
import sys, tarfile
from pathlib import Path
src, out = sys.argv[1], Path(sys.argv[2])
with tarfile.open(src) as tar:
    for m in tar.getmembers():
        parts = m.name.split("/", 1)
        rel = parts[1] if len(parts) == 2 else ""
        if m.isfile() and rel.startswith("test/data/suites/w3c/sparql11/") and ".." not in rel:
            dest = out / rel.removeprefix("test/data/suites/w3c/sparql11/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(tar.extractfile(m).read())
print(f"W3C SPARQL 1.1 test suite in {out}")
PY
  else
    echo "W3C SPARQL 1.1 test suite not fetched (offline?); its test will skip"
  fi
  rm -rf "$w3c_tmp"
fi
