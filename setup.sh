#!/usr/bin/env bash
# Installs altermag and everything its tests and benchmarks need into the current Python.
# torch is pinned to 2.13.0 first so that no later requirement pulls a CUDA build.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
"$PY" -m pip install --quiet "torch==2.13.0"
"$PY" -m pip install --quiet -e ".[ml,peers,extra,test]"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
