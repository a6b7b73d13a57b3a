#!/usr/bin/env python3
"""Host-to-device copy rate from a large pinned host region against a small one, and from huge-page memory.

Why: kvpr's host store spans tens of GB of pinned memory and a decode step copies chunks from all of it; a copy
benchmark over one small buffer may run faster than that (address translation of 4 KiB pages). Copies of 84 MB
chunks at offsets spread over the region, event-timed. Run on the GPU box: python3 bench/pcie_pages.py
"""
import ctypes
import glob
import json
import mmap
import random
import statistics

import torch

RT = None
for path in sorted(glob.glob("/usr/local/cuda/lib64/libcudart.so*")):
    try:
        RT = ctypes.CDLL(path)
        break
    except OSError:
        pass
LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
LIBC.mmap.restype = ctypes.c_void_p
LIBC.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
MADV_HUGEPAGE = 14
CHUNK = 84 * 2**20


def rate(host_address, region_bytes, device, copies=120):
    stream = torch.cuda.Stream()
    offsets = [random.randrange(0, (region_bytes - CHUNK) // 4096) * 4096 for _ in range(copies)]
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for offset in offsets:
        start.record(stream)
        err = RT.cudaMemcpyAsync(ctypes.c_void_p(device.data_ptr()), ctypes.c_void_p(host_address + offset), ctypes.c_size_t(CHUNK),
                                 ctypes.c_int(1), ctypes.c_void_p(stream.cuda_stream))
        assert err == 0, err
        end.record(stream)
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return round(CHUNK / statistics.mean(times[5:]) / 1e9, 2), round(CHUNK / min(times) / 1e9, 2), round(CHUNK / max(times) / 1e9, 2)


def huge_page_region(size):
    address = LIBC.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
    assert LIBC.madvise(ctypes.c_void_p(address), ctypes.c_size_t(size), MADV_HUGEPAGE) == 0
    ctypes.memset(address, 1, size)
    assert RT.cudaHostRegister(ctypes.c_void_p(address), ctypes.c_size_t(size), 0) == 0
    return address


def main():
    device = torch.empty(CHUNK, dtype=torch.uint8, device="cuda")
    for gb in (0.34, 16, 32):
        size = int(gb * 2**30)
        host = torch.empty(size, dtype=torch.uint8, pin_memory=True)
        print(json.dumps(dict(memory="cudaHostAlloc", region_gb=gb, gb_per_s_mean_min_max=rate(host.data_ptr(), size, device))), flush=True)
        del host
        address = huge_page_region(size)
        print(json.dumps(dict(memory="mmap+MADV_HUGEPAGE+cudaHostRegister", region_gb=gb, gb_per_s_mean_min_max=rate(address, size, device))), flush=True)
        RT.cudaHostUnregister(ctypes.c_void_p(address))
        LIBC.munmap(ctypes.c_void_p(address), ctypes.c_size_t(size))
    print(open("/sys/kernel/mm/transparent_hugepage/enabled").read().strip(), flush=True)


if __name__ == "__main__":
    main()
