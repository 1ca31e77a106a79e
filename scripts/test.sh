#!/usr/bin/env bash
# The whole test suite, from a fresh clone: sets up the Python packages the
# DuckDB and evaluation tests read the output with (in .venv), then runs
# every Rust test (unit, integration, evaluation).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import duckdb, pyarrow' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
fi
export READOUT_PYTHON="$PWD/.venv/bin/python"
cargo test --all-targets "$@"
