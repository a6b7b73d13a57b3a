#!/usr/bin/env python3
"""Hugging Face transformers with accelerate offloading under a GPU memory cap: an OPT model of the given dimensions
whose weights do not all fit (OPT-30B: 60 GB) is placed by `infer_auto_device_map(max_memory=...)`, the layers that do
not fit stay in host memory and are moved to the GPU for every forward (accelerate's hooks), and the KV cache is
offloaded (`cache_implementation="offloaded"`). Random fp16 weights, made without downloading anything: the model is
built on the meta device from its config and each tensor is materialised where the device map puts it.

Timings as bench/hf_offloaded.py (same measure()); the result line adds the cap and where the layers went.
"""
import argparse
import time

import torch
from accelerate import dispatch_model, infer_auto_device_map, init_empty_weights
from accelerate.utils import set_module_tensor_to_device
from transformers import OPTForCausalLM

from hf_offloaded import DIMENSIONS, emit, measure_or_error, opt_config


def build_offloaded_model(dims, gpu_bytes, host_bytes, activation_reserve):
    with init_empty_weights():
        model = OPTForCausalLM(opt_config(dims)).half()
    # max_memory bounds the weights only: leave room on the GPU for activations and the cache's current layer.
    device_map = infer_auto_device_map(model, max_memory={0: max(gpu_bytes - activation_reserve, 1), "cpu": host_bytes},
                                       no_split_module_classes=["OPTDecoderLayer"], dtype=torch.float16)
    # One pool of random values, sliced into every tensor: drawing 30 billion normals tensor by tensor on the host took
    # longer than a device call (timings do not depend on the values, only their shapes and placement).
    torch.manual_seed(0)
    largest = max(parameter.numel() for parameter in model.parameters())
    pool = torch.empty(largest, dtype=torch.float16).normal_(0.0, 0.02)
    for name, parameter in list(model.named_parameters()):
        device = next(target for prefix, target in sorted(device_map.items(), key=lambda item: -len(item[0]))
                      if name == prefix or name.startswith(prefix + ".") or prefix == "")
        device = "cuda:0" if device == 0 else "cpu"
        value = pool[:parameter.numel()].view(parameter.shape).to(device, copy=True)
        set_module_tensor_to_device(model, name, device, value=value)
    model.tie_weights()
    model = dispatch_model(model, device_map=device_map, main_device=0)
    model.eval()
    return model, device_map


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dims", choices=sorted(DIMENSIONS), default="opt-30b")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--prompt", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=4, help="each step moves every host-resident layer: keep it short")
    parser.add_argument("--gpu-memory", type=float, required=True, help="bytes, e.g. 40e9")
    parser.add_argument("--host-memory", type=float, default=110e9, help="bytes of host memory the weights may take")
    parser.add_argument("--activation-reserve", type=float, default=6e9, help="GPU bytes kept free of weights")
    parser.add_argument("--out", help="also append the JSON result as a line to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    model, device_map = build_offloaded_model(DIMENSIONS[args.model_dims], int(args.gpu_memory), int(args.host_memory), int(args.activation_reserve))
    build_s = time.perf_counter() - started
    placement = list(device_map.values())
    result = measure_or_error(model, args, "offloaded")
    result.update({"offload": "accelerate device_map", "gpu_memory_cap": args.gpu_memory,
                   "modules_on_gpu": placement.count(0), "modules_on_cpu": placement.count("cpu"), "build_s": build_s})
    if "ms_per_step" in result:
        result["generation_tokens_per_s"] = args.batch * args.new_tokens * 1e3 / (result["prefill_ms"] + result["ms_per_step"] * (args.new_tokens - 1))
    emit(result, args.out)


if __name__ == "__main__":
    main()
