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
$PY -m bench.judge_eval msrp frank fnc --speed --json out/judge/eval.json
$PY -m training.judge.model_card
