#!/usr/bin/env bash
# Models and batches bigger than the GPU (issue 10), on the GPU box in device calls of at most 10 minutes: kvpr bench
# with a GPU memory cap (weights streamed as planned), FlexGen (FlexLLMGen, a policy chosen to fit each cap) and Hugging
# Face transformers with accelerate offloading, random fp16 weights everywhere.
#   bench/run-offload-bench.sh KVPR OUT_DIR
# Workloads: OPT-30B dimensions, prompt 512, 32 new tokens, 64 sequences, capped at 40 GB (the paper's A100) and 24 GB;
# OPT-6.7B at batch 32, prompt 1024, capped at 20 GB. kvpr runs first (the results that matter most), then the peers at
# 40 GB, then at 24 GB, each case under `timeout` of what is left of BENCH_SECONDS (default 560).
# BENCH_PARTS (default "kvpr peers40 peers24"): which parts run, so that each device call (10 minutes) can take one part:
# the kvpr cases, the peers at 40 GB, the peers at 24 GB. FLEXGEN_TARBALL: FlexLLMGen's tarball (default:
# shared/peers/flexgen/flexgen.tar.gz next to or inside the checkout).
set -uo pipefail
kvpr="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
mkdir -p "$out"
deadline=$((SECONDS + ${BENCH_SECONDS:-560}))
left() { echo $((deadline - SECONDS)); }
parts=" ${BENCH_PARTS:-kvpr peers40 peers24} "
runs() { [[ "$parts" == *" $1 "* ]]; }

# Runs "$@" under the time that is left (at most $1 seconds), or says it was skipped.
bounded() {
  local most="$1" name="$2"; shift 2
  local budget; budget=$(left)
  if [ "$budget" -gt "$most" ]; then budget="$most"; fi
  if [ "$budget" -le 15 ]; then echo "$name: skipped, the run's time is spent" | tee -a "$out/skipped.txt"; return; fi
  echo "== $name (at most ${budget} s)"
  timeout "$budget" "$@" 2>&1 | tee "$out/$name.txt"
  echo "$name: rc ${PIPESTATUS[0]}"
}

# kvpr: the planner picks weight and KV residency, l and (throughput) the micro-batches under each cap; mode (c) only,
# so OPT-30B's 60 GB of weights are pinned once per case.
for cap in 40e9 24e9; do
  runs kvpr || break
  bounded 170 "kvpr-opt30b-cap$cap" "$kvpr" bench --model opt-30b --batch 64 --prompt 512 --new-tokens 32 --gpu-memory "$cap" \
    --objective throughput --modes c --warmup 1 --machine "${BENCH_MACHINE:-$(hostname)}" --out "$out/kvpr-opt30b-cap$cap.json"
done
runs kvpr && bounded 120 "kvpr-opt67b-b32-cap20e9" "$kvpr" bench --model opt-6.7b --batch 32 --prompt 1024 --new-tokens 32 --gpu-memory 20e9 \
  --modes b,c --machine "${BENCH_MACHINE:-$(hostname)}" --out "$out/kvpr-opt67b-b32-cap20e9.json"

# FlexGen: weights split GPU/CPU so that weights plus activations stay under the cap, KV cache on the CPU, activations on
# the GPU; 64 sequences as gpu-batch-size x num-gpu-batches. --cut-gen-len 8 times 8 tokens and projects 32.
tarball="${FLEXGEN_TARBALL:-}"
for candidate in "$repo/shared/peers/flexgen/flexgen.tar.gz" "$repo/../shared/peers/flexgen/flexgen.tar.gz"; do
  if [ -z "$tarball" ] && [ -f "$candidate" ]; then tarball="$candidate"; fi
done
flexgen() {  # flexgen NAME PERCENT CASES
  if [ -z "$tarball" ]; then echo "$1: skipped, no FlexGen tarball" | tee -a "$out/skipped.txt"; return; fi
  local dir="/tmp/fg-$1"
  mkdir -p "$dir" && tar -xzf "$tarball" -C "$dir"
  FLEXGEN_PERCENT="$2" FLEXGEN_CASES="$3" PROMPT_LEN=512 GEN_LEN=32 FLEXGEN_EXTRA_ARGS="--cut-gen-len 8" FLEXGEN_TIMEOUT=240 \
    bounded 250 "$1" bash "$dir/run_flexgen.sh" "$out/$1"
}
hf() {  # hf NAME CAP
  bounded 250 "$1" python3 "$here/hf_accelerate.py" --model-dims opt-30b --batch 64 --prompt 512 --new-tokens 4 \
    --gpu-memory "$2" --out "$out/hf-accelerate.jsonl"
}
# 40 GB: half of the 60 GB of weights on the GPU (30 GB) leaves 10 GB for activations of 16-sequence micro-batches;
# 55 % with two micro-batches of 32 was FlexGen's fastest on 2026-12-06 (its nvidia-smi peak 40.9 GB, just over the cap).
if runs peers40; then
  flexgen flexgen-opt30b-cap40e9 "50 50 0 100 100 0" "facebook/opt-30b:16:4"
  flexgen flexgen-opt30b-cap40e9-55pct-32x2 "55 45 0 100 100 0" "facebook/opt-30b:32:2"
  hf hf-opt30b-cap40e9 40e9
fi
# 24 GB: a quarter of the weights (15 GB) on the GPU.
if runs peers24; then
  flexgen flexgen-opt30b-cap24e9 "25 75 0 100 100 0" "facebook/opt-30b:16:4"
  hf hf-opt30b-cap24e9 24e9
fi
echo "results in $out"
