#!/usr/bin/env bash
# BERT (all-MiniLM-L6-v2) throughput side by side on this machine: fedtune's encoder
# against Hugging Face's FlaxBertModel on XLA's CPU backend, same batch (32 × 64 tokens),
# same steps (forward with pooling; LoRA r8 q+v, last-2 and full training steps with AdamW),
# each the median of 7 runs after a warm-up. Nothing else should be running.
# Usage: benchmarks/encoder.sh   (sets up .venv-flax on first use, fetches the model)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product fedtune >/dev/null
model="$(.build/release/fedtune models fetch all-MiniLM-L6-v2 | tail -1)"
benchmarks/flax_setup.sh >/dev/null
cc -O2 -o .build/bert-gemms benchmarks/bert_gemms.c -lopenblas
echo "== OpenBLAS from C: the forward pass's linear layers only"
.build/bert-gemms | tail -1
echo "== fedtune"
.build/release/fedtune bench encoder
echo "== Hugging Face FlaxBertModel (jax/XLA CPU)"
.venv-flax/bin/python benchmarks/flax_bert.py --model "$model"
