#!/usr/bin/env bash
# Runs the GPU performance benchmark on the GPU box: for each workload of the issue, mode (d) (Hugging Face
# transformers with an offloaded cache, bench/hf_offloaded.py) and modes (a)-(c) (kvpr bench), one kvpr call per
# mode so that a slow mode cannot cost the others their results.
#   bench/run-bench.sh KVPR OUT_DIR [HF_RESULTS]
# KVPR: the published kvpr executable. HF_RESULTS: an existing hf_offloaded.py JSON-lines file to use instead of
# running (d) again. BENCH_SECONDS (default 540): the whole run's budget; modes that would start later are skipped.
set -uo pipefail
kvpr="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out/traces"
hf="${3:-$out/hf.jsonl}"
deadline=$((SECONDS + ${BENCH_SECONDS:-540}))
for workload in "opt-6.7b 32 1024" "opt-13b 32 1024" "opt-6.7b 8 2048" "opt-6.7b 64 1024"; do
  read -r model batch prompt <<<"$workload"
  name="$model-b$batch-p$prompt"
  if [ -z "${3:-}" ]; then
    timeout $((deadline - SECONDS)) python3 "$here/hf_offloaded.py" --model-dims "$model" --batch "$batch" --prompt "$prompt" \
      --cache offloaded dynamic --out "$hf"
  fi
  for mode in c b a; do
    left=$((deadline - SECONDS))
    if [ "$left" -le 10 ]; then echo "$name ($mode): skipped, the run's time is spent"; continue; fi
    hf_option=()
    if [ -s "$hf" ]; then hf_option=(--hf-results "$hf"); fi
    timeout "$left" "$kvpr" bench --model "$model" --batch "$batch" --prompt "$prompt" --new-tokens 32 --modes "$mode" \
      --machine "${BENCH_MACHINE:-$(hostname)}" "${hf_option[@]}" --out "$out/$name-$mode.json" --trace-dir "$out/traces" \
      2>&1 | tee "$out/$name-$mode.txt"
  done
done
