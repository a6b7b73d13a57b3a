#!/usr/bin/env python3
"""Host-to-device copy rate of one strided (2D) copy against its number of rows, alone and beside GEMMs.

Why: kvpr loads a layer's stored activations as cuMemcpy2DAsync copies with one row per sequence; this measures
what each row costs on the link (pinned host memory, cudaMemcpy2DAsync through the CUDA runtime that torch
loads). Prints one JSON object per case. Run on the GPU box: python3 bench/pcie_rows.py
"""
import ctypes
import glob
import json
import statistics

import torch


def cudart():
    for pattern in ("/usr/local/cuda/lib64/libcudart.so*", "/usr/local/lib/python3*/dist-packages/nvidia/*/lib/libcudart.so*"):
        for path in sorted(glob.glob(pattern)):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    raise RuntimeError("libcudart not found")


RT = cudart()
HOST_TO_DEVICE = 1


def copy_2d(dst, dst_pitch, src, src_pitch, width, rows, stream):
    error = RT.cudaMemcpy2DAsync(ctypes.c_void_p(dst), ctypes.c_size_t(dst_pitch), ctypes.c_void_p(src), ctypes.c_size_t(src_pitch),
                                 ctypes.c_size_t(width), ctypes.c_size_t(rows), ctypes.c_int(HOST_TO_DEVICE), ctypes.c_void_p(stream))
    if error != 0:
        raise RuntimeError(f"cudaMemcpy2DAsync failed: {error}")


def measure(total_bytes, rows, host, device, busy_gemm, repeats=12):
    width = total_bytes // rows
    src_pitch = width * 4  # rows a quarter of the host store's row apart, as the chunks of a [batch][capacity][hidden] store
    copy_stream = torch.cuda.Stream()
    gemm_stream = torch.cuda.Stream()
    a = torch.randn(8192, 5120, device="cuda", dtype=torch.float16)
    b = torch.randn(5120, 10240, device="cuda", dtype=torch.float16)
    times = []
    for _ in range(repeats):
        if busy_gemm:
            with torch.cuda.stream(gemm_stream):
                for _ in range(20):
                    torch.matmul(a, b)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record(copy_stream)
        copy_2d(device.data_ptr(), width, host.data_ptr(), src_pitch, width, rows, copy_stream.cuda_stream)
        end.record(copy_stream)
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    seconds = statistics.median(times[2:])
    return dict(bytes=total_bytes, rows=rows, row_bytes=width, beside_gemms=busy_gemm, ms=round(seconds * 1e3, 3),
                gb_per_s=round(total_bytes / seconds / 1e9, 2), us_per_row_over_1d=None)


def main():
    total = 84 * 2**20
    host = torch.empty(total * 4, dtype=torch.uint8, pin_memory=True)
    device = torch.empty(total, dtype=torch.uint8, device="cuda")
    results = []
    for busy in (False, True):
        base = None
        for rows in (1, 8, 32, 128, 512):
            r = measure(total, rows, host, device, busy)
            if rows == 1:
                base = r["ms"]
            else:
                r["us_per_row_over_1d"] = round((r["ms"] - base) * 1e3 / (rows - 1), 2)
            results.append(r)
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
