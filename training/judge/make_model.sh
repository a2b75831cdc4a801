#!/usr/bin/env bash
# Rebuild the pair judge end to end: pairs -> classifier -> corroboration, support and dispute heads -> benchmarks -> model card.
# Needs ../shared (train/ and eval/) beside the repository; writes src/parallax/models/judge/.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python}
export PYTHONPATH="$PWD/src:$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p out/judge
$PY -m training.judge.build_pairs
$PY -m training.judge.train --compare-mlp
$PY -m training.judge.corroborate
$PY -m training.judge.support
$PY -m training.judge.dispute
# The cross-encoder (issue 19 item 4): needs torch and transformers (a training environment, ~80 min on 2 cores).
if $PY -c "import torch, transformers, onnx" 2>/dev/null; then
  $PY -m training.judge.cross_encoder pairs
  for k in 0 1 2 3; do $PY -m training.judge.cross_encoder fold "$k"; done
  $PY -m training.judge.cross_encoder final
  $PY -m training.judge.cross_encoder export
  $PY -m training.judge.cross_encoder stack
else
  echo "cross-encoder kept as shipped: torch, transformers and onnx are not installed in $PY's environment" >&2
fi
$PY -m bench.judge_eval msrp frank fnc --speed --json out/judge/eval.json
$PY -m training.judge.model_card
