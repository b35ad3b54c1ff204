#!/usr/bin/env bash
# Creates .venv-flax in the repository root and installs benchmarks/requirements-flax.txt
# (jax/jaxlib 0.4.13, flax 0.7.0, optax 0.1.7, transformers 4.46.3; no torch), for
# benchmarks/flax_bert.py. Idempotent: does nothing when the venv already holds exactly
# these pins. Choose the interpreter with PYTHON=... (3.8-3.11; default python3).
# Usage: benchmarks/flax_setup.sh && .venv-flax/bin/python benchmarks/flax_bert.py --model DIR
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-flax
requirements=benchmarks/requirements-flax.txt
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "$venv is up to date" >&2
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -c 'import sys; sys.exit(not ((3, 8) <= sys.version_info[:2] <= (3, 11)))'; then
        echo "jaxlib 0.4.13 needs Python 3.8-3.11; $python is $("$python" --version 2>&1)." >&2
        echo "Set PYTHON=/path/to/python3.11 and rerun." >&2
        exit 1
    fi
    "$python" -m venv "$venv"
fi
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
"$venv/bin/python" -m pip check
"$venv/bin/python" -c 'import jax, flax, optax, transformers' 2>/dev/null
echo "$wanted" > "$stamp"
echo "$venv ready: $("$venv/bin/python" -c 'import jax, flax, optax, transformers; print("jax", jax.__version__, "flax", flax.__version__, "optax", optax.__version__, "transformers", transformers.__version__)')" >&2
