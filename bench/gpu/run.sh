#!/usr/bin/env bash
# LLaVA Studio worker: every GPU check in one call (a CUDA machine with torch/transformers/peft, no network).
#   OUT=/dir bash bench/gpu/run.sh          (the device tool sets OUT; defaults to bench/tmp/gpu)
# 1. probe  2. pytest native-bin/tests on CUDA (tiny LLaVA: labels, train, SIGTERM+resume, projector, serve)
# 3. tiny LLaVA end to end through `python -m llava_studio_worker.train|serve` (bf16, eval split)
# 4. LoRA throughput on the LLaVA-1.5-7B architecture (random weights): our defaults vs the seed notebook's
# Writes OUT/gpu-results.json (one JSON object) plus run.log, pytest.log/xml, e2e.json, e2e-events.jsonl,
# throughput.json, probe.json (8 files). Budget: under 8 minutes (each phase has its own timeout).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/tmp/gpu}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/native-bin" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
  TOKENIZERS_PARALLELISM=false HF_HUB_DISABLE_TELEMETRY=1

checks() {
  local start
  start=$(date +%s)
  stamp() { echo "== $* (+$(( $(date +%s) - start )) s)"; }

  stamp "probe"
  if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "error: $PY has no CUDA device (torch.cuda.is_available() is False); run this on the GPU machine" >&2
    return 2
  fi
  "$PY" -m llava_studio_worker.probe > "$OUT/probe.json"
  cat "$OUT/probe.json"; echo
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

  stamp "pytest (model tests on CUDA)"
  local per_test
  per_test=$("$PY" -c 'import pytest_timeout' 2>/dev/null && echo --timeout=100)
  (cd native-bin && timeout 170 "$PY" -m pytest -q -rs -p no:cacheprovider $per_test tests \
    --junitxml="$OUT/pytest.xml" -o junit_family=xunit1) > "$OUT/pytest.log" 2>&1
  echo "pytest exit $?"; tail -25 "$OUT/pytest.log"

  stamp "tiny LLaVA end to end through the CLI"
  timeout 100 "$PY" bench/gpu/e2e_tiny.py "$OUT" | tail -c 3000; echo

  stamp "throughput: LLaVA-1.5-7B shapes, ours vs seed"
  timeout 200 "$PY" bench/gpu/throughput.py "$OUT/throughput.json" --steps 20 --warmup 3 --batch 8

  stamp "collect"
  "$PY" bench/gpu/collect.py "$OUT"
  local rc=$?
  stamp "done (exit $rc)"
  return $rc
}

checks 2>&1 | tee "$OUT/run.log"
exit "${PIPESTATUS[0]}"
