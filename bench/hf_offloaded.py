#!/usr/bin/env python3
"""Mode (d) of kvpr's benchmark: Hugging Face transformers decoding an OPT model with the KV cache offloaded to
host memory, on the same dimensions and shapes as `kvpr bench`, with random fp16 weights (timings do not depend
on the values).

Per decode step = (time of a full generate - time of a prefill-only generate) / (new tokens - 1): a generate of
N new tokens runs the prefill (which yields the first token) and N - 1 decode steps. A stopping criterion that
synchronises the GPU also clocks each step, for the p50/p90. Prints one JSON object per cache kind.
"""
import argparse
import json
import statistics
import time

import torch
import transformers
from transformers import OPTConfig, OPTForCausalLM, StoppingCriteria, StoppingCriteriaList

DIMENSIONS = {
    "opt-6.7b": dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, ffn_dim=16384),
    "opt-13b": dict(hidden_size=5120, num_hidden_layers=40, num_attention_heads=40, ffn_dim=20480),
    "opt-30b": dict(hidden_size=7168, num_hidden_layers=48, num_attention_heads=56, ffn_dim=28672),
}


class StepClock(StoppingCriteria):
    """Records the time each generated token is ready; never stops generation."""

    def __init__(self):
        self.times = []

    def __call__(self, input_ids, scores, **kwargs):
        torch.cuda.synchronize()
        self.times.append(time.perf_counter())
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


def opt_config(dims):
    return OPTConfig(vocab_size=50272, max_position_embeddings=2048 + 64, word_embed_proj_dim=dims["hidden_size"],
                     do_layer_norm_before=True, eos_token_id=None, pad_token_id=1, bos_token_id=2, **dims)


def build_model(dims):
    cfg = opt_config(dims)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float16)  # allocate in fp16 directly: no fp32 copy of 13B parameters
    try:
        with torch.device("cuda"):
            model = OPTForCausalLM(cfg)
    finally:
        torch.set_default_dtype(previous)
    model.eval()
    with torch.no_grad():  # small random values keep fp16 activations finite through 40 layers
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    return model


def generate(model, ids, new_tokens, cache, clock=None):
    torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.no_grad():
        model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                       do_sample=False, cache_implementation=cache, eos_token_id=None, pad_token_id=1,
                       stopping_criteria=StoppingCriteriaList([clock]) if clock else None)
    torch.cuda.synchronize()
    return start, time.perf_counter()


def measure(model, args, cache):
    torch.manual_seed(0)
    ids = torch.randint(3, 50272, (args.batch, args.prompt), device="cuda")
    generate(model, ids, 2, cache)  # warm-up: cuBLAS handles, allocator, offload streams
    start, end = generate(model, ids, 1, cache)
    prefill_s = end - start
    clock = StepClock()
    start, end = generate(model, ids, args.new_tokens, cache, clock)
    steps_ms = [(b - a) * 1e3 for a, b in zip(clock.times, clock.times[1:])]
    decode_ms = ((end - start) - prefill_s) * 1e3 / (args.new_tokens - 1)
    quantiles = statistics.quantiles(steps_ms, n=10) if len(steps_ms) > 1 else steps_ms * 9
    return {
        "mode": "d", "engine": f"transformers {transformers.__version__} generate, torch {torch.__version__}",
        "cache": cache, "model": args.model_dims, "batch": args.batch, "prompt": args.prompt,
        "new_tokens": args.new_tokens, "prefill_ms": prefill_s * 1e3, "ms_per_step": decode_ms,
        "tokens_per_s": args.batch * 1e3 / decode_ms,
        "step_clock_ms": {"mean": statistics.fmean(steps_ms), "p50": statistics.median(steps_ms), "p90": quantiles[8]},
        "device": torch.cuda.get_device_name(), "peak_gpu_gib": torch.cuda.max_memory_allocated() / 2**30,
    }


def measure_or_error(model, args, cache):
    """measure(), or a result line saying the GPU ran out of memory."""
    try:
        return measure(model, args, cache)
    except torch.OutOfMemoryError as error:
        return {"mode": "d", "cache": cache, "model": args.model_dims, "batch": args.batch, "prompt": args.prompt,
                "error": f"out of GPU memory: {str(error).splitlines()[0]}"}


def emit(result, out):
    """Prints the result as one JSON line, and appends it to the file out if given."""
    line = json.dumps(result)
    print(line, flush=True)
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dims", choices=sorted(DIMENSIONS), default="opt-6.7b")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--prompt", type=int, default=1024)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--cache", nargs="+", choices=["offloaded", "offloaded_static", "dynamic"], default=["offloaded"],
                        help="one or more cache kinds, measured one after another on the same model")
    parser.add_argument("--out", help="also append each JSON result as a line to this file")
    args = parser.parse_args()
    if args.new_tokens < 2:
        parser.error("--new-tokens must be at least 2: the first token comes from the prefill")
    model = build_model(DIMENSIONS[args.model_dims])
    for cache in args.cache:
        result = measure_or_error(model, args, cache)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        emit(result, args.out)


if __name__ == "__main__":
    main()
