#!/usr/bin/env python3
"""GPU check of the emitted CUDA kernels against independent float64 references (numpy) and the fixtures'
Hugging Face outputs. Needs a CUDA GPU, libnvrtc, numpy, cupy and safetensors; CI has none of them, so this runs by
hand on a GPU machine.

  python3 check_kernels.py SOURCES_DIR FIXTURES_DIR

SOURCES_DIR holds <model>.cu files, each KernelEmitter.Emit(spec).Source: `dotnet run emit_sources.cs -- DIR` writes
them (fixture names match tests/fixtures folders, which adds the end-to-end check). Every file is compiled with NVRTC exactly
as the runtime does (-std=c++17, the device's architecture, -I the CUDA include folder). Entry points are called by
the parameter names parsed from the source's extern "C" declarations, so a reordered signature fails here too.
Checks: each kernel against a float64 reference on random inputs (outputs poisoned first); decode attention with
many partitions and grouped-query heads; sampling against a sort-based top-k/top-p reference; and, for each fixture
model, prefill plus 20 greedy decode steps in which a varying prefix of the KV cache is recomputed from stored
activations and the rest copied, compared with the Hugging Face logits and tokens.
"""
import ctypes
import glob
import os
import re
import sys

import cupy as cp
import numpy as np
from safetensors.numpy import load_file

failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        failures.append(name)


def rel_error(out, ref):
    out = np.asarray(out, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        return float("inf")
    return float(np.linalg.norm(out - ref) / max(np.linalg.norm(ref), 1e-30))


# ---- NVRTC, as the runtime calls it -------------------------------------------------------------------------------

def nvrtc_library():
    for pattern in ("/usr/local/cuda/lib64/libnvrtc.so.1[0-9]*", "/usr/local/cuda/lib64/libnvrtc.so"):
        found = sorted(glob.glob(pattern))
        if found:
            return ctypes.CDLL(found[0])
    raise RuntimeError("libnvrtc not found")


NVRTC = nvrtc_library()


def compile_cubin(source, name, arch):
    prog = ctypes.c_void_p()
    assert NVRTC.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), name.encode(), 0, None, None) == 0
    options = [b"-std=c++17", f"--gpu-architecture=sm_{arch}".encode(), b"-I/usr/local/cuda/include"]
    result = NVRTC.nvrtcCompileProgram(prog, len(options), (ctypes.c_char_p * len(options))(*options))
    size = ctypes.c_size_t()
    NVRTC.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    NVRTC.nvrtcGetProgramLog(prog, log)
    log_text = log.value.decode(errors="replace").strip()
    if result != 0:
        return None, log_text
    NVRTC.nvrtcGetCUBINSize(prog, ctypes.byref(size))
    cubin = ctypes.create_string_buffer(size.value)
    NVRTC.nvrtcGetCUBIN(prog, cubin)
    return cubin.raw, log_text


# ---- The source's own declarations and constants -----------------------------------------------------------------

def parse_entry_points(source):
    """name -> ordered parameter names, from the extern "C" __global__ declarations."""
    entries = {}
    lines = source.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r'extern "C" __global__ void __launch_bounds__\((\w+)\) (\w+)\($', line)
        if not m:
            continue
        names = []
        for param in lines[i + 1:]:
            code = param.split("//")[0].strip()
            names.append(code.rstrip(",)").split()[-1])
            if code.endswith(")"):
                break
        entries[m.group(2)] = names
    return entries


def parse_constants(source):
    values = {}
    for kind, name, expr in re.findall(r"^constexpr (int|float) (\w+) = ([^;]+);", source, re.MULTILINE):
        expr = re.sub(r"(\d)f\b", r"\1", expr)
        if kind == "int":
            expr = expr.replace(" / ", " // ")
        values[name] = eval(expr, {}, dict(values))
    return values


class Kernels:
    def __init__(self, path, arch):
        self.name = os.path.basename(path)[:-3]
        self.source = open(path).read()
        self.c = parse_constants(self.source)
        self.entries = parse_entry_points(self.source)
        cubin, log = compile_cubin(self.source, self.name + ".cu", arch)
        check(f"{self.name}: NVRTC compiles", cubin is not None, log[:4000])
        check(f"{self.name}: NVRTC log is clean", log == "", log[:2000])
        self.module = None
        if cubin is not None:
            cubin_path = f"/tmp/{self.name}.cubin"
            open(cubin_path, "wb").write(cubin)
            self.module = cp.RawModule(path=cubin_path)

    def has(self, name):
        return name in self.entries

    def launch(self, name, grid, block, **args):
        expected = self.entries[name]
        assert sorted(expected) == sorted(args), f"{name}: source has {expected}, call passes {sorted(args)}"
        values = []
        for p in expected:
            v = args[p]
            if v is None:
                v = np.uint64(0)
            elif isinstance(v, bool) or not isinstance(v, (cp.ndarray, np.generic)):
                raise TypeError(f"{name}.{p}: pass cupy arrays, numpy scalars or None")
            values.append(v)
        self.module.get_function(name)(grid, block, tuple(values))
        cp.cuda.runtime.deviceSynchronize()


# ---- float64 references -------------------------------------------------------------------------------------------

def rope_ref(x, positions, theta):
    """x [..., heads, D] at positions [...]: Hugging Face rotate_half."""
    d = x.shape[-1]
    inv_freq = 1.0 / (theta ** (np.arange(0, d, 2, dtype=np.float64) / d))
    angles = positions[..., None, None] * np.concatenate([inv_freq, inv_freq])
    rotated = np.concatenate([-x[..., d // 2:], x[..., :d // 2]], axis=-1)
    return x * np.cos(angles) + rotated * np.sin(angles)


def attention_ref(q, k, v, lengths_per_query):
    """q [Bq, H, D] (scaled), k, v [Bq, T, KVH, D]; each query row attends to its first n tokens."""
    heads, kv_heads = q.shape[1], k.shape[2]
    out = np.zeros(q.shape)
    for b in range(q.shape[0]):
        n = lengths_per_query[b]
        for h in range(heads):
            kh = h // (heads // kv_heads)
            scores = k[b, :n, kh] @ q[b, h]
            p = np.exp(scores - scores.max())
            out[b, h] = (p / p.sum()) @ v[b, :n, kh]
    return out


def f16(a):
    return cp.asarray(np.asarray(a, dtype=np.float16))


def f32(a):
    return cp.asarray(np.asarray(a, dtype=np.float32))


def poison(shape, dtype):
    return cp.full(shape, np.nan, dtype=dtype)


# ---- Unit checks --------------------------------------------------------------------------------------------------

def element_cache(rng, shape, bf16):
    """A random K or V cache as the device holds it (fp16, or bf16 bits) and the float64 values it holds."""
    a = rng.standard_normal(shape).astype(np.float32)
    if bf16:
        bits = (a.view(np.uint32) >> 16).astype(np.uint16)
        return cp.asarray(bits), (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return cp.asarray(a.astype(np.float16)), a.astype(np.float16).astype(np.float64)


def element_output(shape, bf16):
    return cp.full(shape, 0xFFFF, dtype=cp.uint16) if bf16 else poison(shape, cp.float16)


def element_values(out, bf16):
    result = out.get()
    return (result.astype(np.uint32) << 16).view(np.float32) if bf16 else result.astype(np.float32)


def check_attention(k, rng, batch, length, tokens_per_partition, bf16=False):
    c = k.c
    heads, kv_heads, d, capacity = c["HEADS"], c["KV_HEADS"], c["HEAD_DIM"], length + 3
    q = rng.standard_normal((batch, heads, d)) * c["Q_SCALE"] * 2
    k_dev, kc = element_cache(rng, (batch, capacity, kv_heads, d), bf16)
    v_dev, vc = element_cache(rng, (batch, capacity, kv_heads, d), bf16)
    partitions = -(-length // tokens_per_partition)
    head_blocks = heads // c["DECODE_HEADS_PER_BLOCK"]
    acc = poison((batch, heads, partitions, d), np.float32)
    mx = poison((batch, heads, partitions), np.float32)
    sm = poison((batch, heads, partitions), np.float32)
    out = element_output((batch, heads, d), bf16)
    k.launch("decode_attention", (partitions, head_blocks, batch), (c["ATTENTION_THREADS"],),
             q=f32(q), k_cache=k_dev, v_cache=v_dev, partial_acc=acc, partial_max=mx, partial_sum=sm,
             length=np.int32(length), tokens_per_partition=np.int32(tokens_per_partition), cache_capacity=np.int32(capacity))
    k.launch("attention_combine", (heads, batch), (d,), partial_acc=acc, partial_max=mx, partial_sum=sm, out=out,
             partitions=np.int32(partitions), host_acc=None, host_max=None, host_sum=None)
    err = rel_error(element_values(out, bf16), attention_ref(q, kc, vc, [length] * batch))
    check(f"{k.name}: decode attention b={batch} len={length} partition={tokens_per_partition} ({partitions} partitions)",
          err < (1e-2 if bf16 else 2e-3), f"rel err {err:.2e}")


def prefill_kernel(c, tokens, batch):
    """The model's prefill attention and its grid: prefill_attention_mma where the source has it, else prefill_attention."""
    if "MMA_QUERIES" in c:
        return "prefill_attention_mma", (-(-tokens // c["MMA_QUERIES"]), c["HEADS"], batch)
    return "prefill_attention", (-(-tokens // c["PREFILL_QUERIES"]), c["HEADS"] // c["HEADS_PER_BLOCK"], batch)


def check_prefill_attention(k, rng, batch, tokens, first_position, bf16=False):
    c = k.c
    heads, kv_heads, d, capacity = c["HEADS"], c["KV_HEADS"], c["HEAD_DIM"], first_position + tokens + 2
    q = rng.standard_normal((batch, tokens, heads, d)) * c["Q_SCALE"] * 2
    k_dev, kc = element_cache(rng, (batch, capacity, kv_heads, d), bf16)
    v_dev, vc = element_cache(rng, (batch, capacity, kv_heads, d), bf16)
    out = element_output((batch, tokens, heads, d), bf16)
    name, grid = prefill_kernel(c, tokens, batch)
    k.launch(name, grid, (c["ATTENTION_THREADS"],), q=f32(q), k_cache=k_dev, v_cache=v_dev, out=out,
             tokens=np.int32(tokens), first_position=np.int32(first_position), cache_capacity=np.int32(capacity))
    causal_lengths = [first_position + t + 1 for t in range(tokens)]
    ref = np.stack([attention_ref(q[b], np.broadcast_to(kc[b], (tokens,) + kc.shape[1:]),
                                  np.broadcast_to(vc[b], (tokens,) + vc.shape[1:]), causal_lengths) for b in range(batch)])
    err = rel_error(element_values(out, bf16), ref)
    check(f"{k.name}: prefill attention b={batch} tokens={tokens} from position {first_position}",
          err < (1e-2 if bf16 else 2e-3), f"rel err {err:.2e}")


def check_sampling(k, rng):
    vocab, rows = k.c["VOCAB"], 64
    logits = (rng.standard_normal((rows, vocab)) * 3).astype(np.float32)
    logits[3, 10] = logits[3, 20] = logits[3].max() + 1  # a tie: argmax takes the first
    tokens = cp.full(rows, -1, dtype=cp.int32)
    k.launch("argmax", (rows,), (k.c["SAMPLING_THREADS"],), logits=cp.asarray(logits), tokens=tokens)
    check(f"{k.name}: argmax", np.array_equal(tokens.get(), logits.argmax(axis=1)))

    for temperature, top_k, top_p in [(0.7, 50, 0.9), (1.0, 0, 0.5), (1.3, 7, 1.0), (1.0, 0, 1.0), (0.5, 1, 1.0)]:
        uniforms = rng.random(rows).astype(np.float32)
        tokens = cp.full(rows, -1, dtype=cp.int32)
        k.launch("sample", (rows,), (k.c["SAMPLING_THREADS"],), logits=cp.asarray(logits), uniforms=cp.asarray(uniforms),
                 tokens=tokens, temperature=np.float32(temperature), top_k=np.int32(top_k), top_p=np.float32(top_p))
        got = tokens.get()
        mismatches = 0
        for r in range(rows):
            x = logits[r].astype(np.float64) / temperature
            keep = np.ones(vocab, bool)
            if 0 < top_k < vocab:
                keep &= x >= np.sort(x)[-top_k]
            p = np.where(keep, np.exp(x - x.max()), 0)
            p /= p.sum()
            if top_p < 1:
                order = np.argsort(-p, kind="stable")
                above = np.cumsum(p[order]) - p[order]  # mass strictly above each token
                keep_p = np.zeros(vocab, bool)
                keep_p[order[above < top_p]] = True
                p = np.where(keep_p, p, 0)
                p /= p.sum()
            cdf = np.cumsum(p)
            expected = int(np.searchsorted(cdf, uniforms[r], side="right"))
            near_edge = np.min(np.abs(cdf - uniforms[r])) < 1e-4
            if got[r] != expected and not near_edge:
                mismatches += 1
        check(f"{k.name}: sample T={temperature} top_k={top_k} top_p={top_p}", mismatches == 0, f"{mismatches} of {rows} rows differ")


# ---- Fixture model end to end -------------------------------------------------------------------------------------

class FixtureModel:
    """Prefill and greedy decode of a fixture checkpoint with the emitted kernels; GEMMs in float32 on the GPU."""

    def __init__(self, k, folder):
        self.k, self.c = k, k.c
        self.w = {n: cp.asarray(t) for n, t in load_file(os.path.join(folder, "model.safetensors")).items()}
        self.opt = k.has("residual_add_bias")
        self.prefix = "model.decoder." if self.opt else "model."

    def weight(self, name):
        return self.w[self.prefix + name]

    def layer(self, i, name):
        return self.weight(f"layers.{i}.{name}")

    def gemm(self, x, w, out_dtype=cp.float16):
        return (x.astype(cp.float32) @ w.astype(cp.float32).T).astype(out_dtype)

    def stacked(self, i, names, suffix):
        return cp.concatenate([self.layer(i, n + suffix) for n in names])

    def run(self, ids, steps, partitions_for_step):
        c, k = self.c, self.k
        batch, prompt = ids.shape
        capacity = prompt + steps + 1
        hidden_size, kv_dim = c["HIDDEN"], c["KV_DIM"]
        layers = 1 + max(int(m) for m in re.findall(r"layers\.(\d+)\.", " ".join(self.w)))
        attn = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"]
        w_qkv = [self.stacked(i, attn, ".weight") for i in range(layers)]
        b_qkv = [self.stacked(i, attn, ".bias") if self.opt else None for i in range(layers)]
        w_gate_up = None if self.opt else [self.stacked(i, ["mlp.gate_proj", "mlp.up_proj"], ".weight") for i in range(layers)]
        store_x = [poison((batch, capacity, hidden_size), cp.float16) for _ in range(layers)]
        store_k = [poison((batch, capacity, kv_dim), cp.float16) for _ in range(layers)]
        store_v = [poison((batch, capacity, kv_dim), cp.float16) for _ in range(layers)]
        k_buf = [poison((batch, capacity, kv_dim), cp.float16) for _ in range(layers)]
        v_buf = [poison((batch, capacity, kv_dim), cp.float16) for _ in range(layers)]
        row_t, blk = (c["ROW_THREADS"],), (c["ATTENTION_THREADS"],)
        norm_names = ("self_attn_layer_norm", "final_layer_norm") if self.opt else ("input_layernorm", "post_attention_layernorm")

        def norm(hidden, prefix, rows, store=None, row_tokens=1, first=0):
            out = poison((rows, hidden_size), cp.float16)
            args = dict(hidden=hidden, weight=self.weight(prefix + ".weight"), out=out, activation_store=store,
                        row_tokens=np.int32(row_tokens), first_position=np.int32(first), store_capacity=np.int32(capacity))
            if self.opt:
                args["bias"] = self.weight(prefix + ".bias")
            k.launch("normalize", (rows,), row_t, **args)
            return out

        def residual(hidden, x, bias):
            if self.opt:
                k.launch("residual_add_bias", (hidden.shape[0],), row_t, hidden=hidden, x=x, bias=bias)
            else:
                k.launch("residual_add", (hidden.shape[0],), row_t, hidden=hidden, x=x)

        def mlp(hidden, i, rows):
            x = norm(hidden, f"layers.{i}.{norm_names[1]}", rows)
            if self.opt:
                h = self.gemm(x, self.layer(i, "fc1.weight"))
                k.launch("mlp_activation", (rows,), row_t, x=h, bias=self.layer(i, "fc1.bias"))
                residual(hidden, self.gemm(h, self.layer(i, "fc2.weight")), self.layer(i, "fc2.bias"))
            else:
                act = poison((rows, c["FFN"]), cp.float16)
                k.launch("mlp_gated_activation", (rows,), row_t, gate_up=self.gemm(x, w_gate_up[i]), out=act)
                residual(hidden, self.gemm(act, self.layer(i, "mlp.down_proj.weight")), None)

        def o_proj(i):
            name = "self_attn.out_proj" if self.opt else "self_attn.o_proj"
            return self.layer(i, name + ".weight"), (self.layer(i, name + ".bias") if self.opt else None)

        def embed(tokens, row_tokens, first):
            rows = tokens.size
            hidden = poison((rows, hidden_size), cp.float32)
            args = dict(token_ids=cp.asarray(tokens.reshape(-1).astype(np.int32)), token_table=self.weight("embed_tokens.weight"), hidden=hidden)
            if self.opt:
                args.update(position_table=self.weight("embed_positions.weight"), row_tokens=np.int32(row_tokens), first_position=np.int32(first))
            k.launch("embed", (rows,), row_t, **args)
            return hidden

        def qkv_epilogue(i, x, rows, row_tokens, first):
            q = poison((rows, hidden_size), cp.float32)
            args = dict(qkv=self.gemm(x, w_qkv[i]), q=q, k_cache=k_buf[i], v_cache=v_buf[i], row_tokens=np.int32(row_tokens),
                        first_position=np.int32(first), cache_capacity=np.int32(capacity))
            if self.opt:
                args["qkv_bias"] = b_qkv[i]
            k.launch("qkv_epilogue", (rows,), row_t, **args)
            return q

        def logits_of(hidden, rows):
            x = norm(hidden, "final_layer_norm" if self.opt else "norm", rows)
            head = self.weight("embed_tokens.weight") if self.opt else self.w["lm_head.weight"]
            return self.gemm(x, head, cp.float32)

        # Prefill: all prompt rows; stores activations, K and V.
        rows = batch * prompt
        hidden = embed(ids, prompt, 0)
        for i in range(layers):
            x = norm(hidden, f"layers.{i}.{norm_names[0]}", rows, store_x[i], prompt, 0)
            q = qkv_epilogue(i, x, rows, prompt, 0)
            out = poison((rows, hidden_size), cp.float16)
            name, grid = prefill_kernel(c, prompt, batch)
            k.launch(name, grid, blk, q=q, k_cache=k_buf[i], v_cache=v_buf[i], out=out,
                     tokens=np.int32(prompt), first_position=np.int32(0), cache_capacity=np.int32(capacity))
            w_o, b_o = o_proj(i)
            residual(hidden, self.gemm(out, w_o), b_o)
            mlp(hidden, i, rows)
            store_k[i][:, :prompt] = k_buf[i][:, :prompt]
            store_v[i][:, :prompt] = v_buf[i][:, :prompt]
        prefill_logits = logits_of(hidden, rows).reshape(batch, prompt, -1).get()
        # Token j is the argmax of logits j: the prompt's last position's, then each decode step's.
        tokens = cp.full(batch, -1, dtype=cp.int32)
        logits = cp.asarray(prefill_logits[:, -1].copy())
        step_logits, generated = [], []
        for step in range(steps):
            k.launch("argmax", (batch,), (c["SAMPLING_THREADS"],), logits=logits, tokens=tokens)
            generated.append(tokens.get())
            step_logits.append(logits.get())
            if step == steps - 1:
                break
            length = prompt + step  # s': tokens in the store
            recompute = [0, length, length // 2, length // 3][step % 4]
            tokens_per_partition = partitions_for_step(step)
            hidden = embed(tokens.get(), 1, length)
            for i in range(layers):
                # The device buffer: poison, transferred suffix [l, s'), recomputed prefix [0, l).
                k_buf[i][:] = cp.nan
                v_buf[i][:] = cp.nan
                k_buf[i][:, recompute:length] = store_k[i][:, recompute:length]
                v_buf[i][:, recompute:length] = store_v[i][:, recompute:length]
                if recompute > 0:
                    kv = self.gemm(store_x[i][:, :recompute].reshape(batch * recompute, hidden_size), w_qkv[i][hidden_size:])
                    args = dict(kv=kv, k_cache=k_buf[i], v_cache=v_buf[i], row_tokens=np.int32(recompute),
                                first_position=np.int32(0), cache_capacity=np.int32(capacity))
                    if self.opt:
                        args["kv_bias"] = b_qkv[i][hidden_size:]
                    k.launch("kv_recompute_epilogue", (batch * recompute,), row_t, **args)
                    # Equal up to the GEMMs' summation order (cuBLAS may tile M = batch and M = batch * l differently).
                    same = bool(cp.allclose(k_buf[i][:, :recompute], store_k[i][:, :recompute], rtol=2e-3, atol=2e-3)
                                and cp.allclose(v_buf[i][:, :recompute], store_v[i][:, :recompute], rtol=2e-3, atol=2e-3))
                    if not same:
                        check(f"{k.name}: recomputed K, V equal the stored ones (step {step}, layer {i})", False)
                x = norm(hidden, f"layers.{i}.{norm_names[0]}", batch, store_x[i], 1, length)
                q = qkv_epilogue(i, x, batch, 1, length)
                store_k[i][:, length] = k_buf[i][:, length]
                store_v[i][:, length] = v_buf[i][:, length]
                partitions = -(-(length + 1) // tokens_per_partition)
                acc = poison((batch, c["HEADS"], partitions, c["HEAD_DIM"]), cp.float32)
                mx = poison((batch, c["HEADS"], partitions), cp.float32)
                sm = poison((batch, c["HEADS"], partitions), cp.float32)
                k.launch("decode_attention", (partitions, c["HEADS"] // c["DECODE_HEADS_PER_BLOCK"], batch), blk, q=q, k_cache=k_buf[i],
                         v_cache=v_buf[i], partial_acc=acc, partial_max=mx, partial_sum=sm, length=np.int32(length + 1),
                         tokens_per_partition=np.int32(tokens_per_partition), cache_capacity=np.int32(capacity))
                out = poison((batch, hidden_size), cp.float16)
                k.launch("attention_combine", (c["HEADS"], batch), (c["HEAD_DIM"],), partial_acc=acc, partial_max=mx,
                         partial_sum=sm, out=out, partitions=np.int32(partitions), host_acc=None, host_max=None, host_sum=None)
                w_o, b_o = o_proj(i)
                residual(hidden, self.gemm(out, w_o), b_o)
                mlp(hidden, i, batch)
            logits = logits_of(hidden, batch)
        return prefill_logits, np.stack(generated, axis=1), np.stack(step_logits, axis=1)


def check_fixture(k, folder):
    ref = load_file(os.path.join(folder, "reference.safetensors"))
    model = FixtureModel(k, folder)
    steps = ref["generated_ids"].shape[1]
    prefill, generated, step_logits = model.run(ref["input_ids"], steps, lambda step: [64, 5, 1, 7][step % 4])
    err = np.abs(prefill - ref["prefill_logits"]).max()
    check(f"{k.name}: prefill logits match Hugging Face", err < 2e-2, f"max abs err {err:.2e}")
    err = np.abs(step_logits - ref["step_logits"]).max()
    check(f"{k.name}: every step's logits match Hugging Face (recompute prefix and attention partitions vary)", err < 2e-2, f"max abs err {err:.2e}")
    check(f"{k.name}: greedy tokens match Hugging Face", np.array_equal(generated, ref["generated_ids"]),
          f"{generated.tolist()} vs {ref['generated_ids'].tolist()}")


def time_ms(launch, repeats=50):
    launch()
    start, stop = cp.cuda.Event(), cp.cuda.Event()
    start.record()
    for _ in range(repeats):
        launch()
    stop.record()
    stop.synchronize()
    return cp.cuda.get_elapsed_time(start, stop) / repeats


def benchmark(k, batch=32, length=2048, multiprocessors=132):
    """Informational: decode attention's achieved bandwidth over the K and V bytes it must read; sampling's time."""
    c = k.c
    heads, kv_dim, d = c["HEADS"], c["KV_DIM"], c["HEAD_DIM"]
    blocks = batch * heads // c["DECODE_HEADS_PER_BLOCK"]
    wanted = max(1, -(-16 * multiprocessors // blocks))
    tokens_per_partition = max(128, -(-(-(-length // wanted)) // 64) * 64)  # DecodePartitions.For
    partitions = -(-length // tokens_per_partition)
    kc = cp.random.standard_normal((batch, length, kv_dim), dtype=cp.float32).astype(cp.float16)
    vc = cp.random.standard_normal((batch, length, kv_dim), dtype=cp.float32).astype(cp.float16)
    q = cp.random.standard_normal((batch, heads, d), dtype=cp.float32)
    acc = cp.empty((batch, heads, partitions, d), cp.float32)
    mx = cp.empty((batch, heads, partitions), cp.float32)
    sm = cp.empty((batch, heads, partitions), cp.float32)
    out = cp.empty((batch, heads, d), cp.float16)
    attention = k.module.get_function("decode_attention")
    combine = k.module.get_function("attention_combine")

    def step():
        attention((partitions, heads // c["DECODE_HEADS_PER_BLOCK"], batch), (c["ATTENTION_THREADS"],),
                  (q, kc, vc, acc, mx, sm, np.int32(length), np.int32(tokens_per_partition), np.int32(length)))
        combine((heads, batch), (d,), (acc, mx, sm, out, np.int32(partitions), np.uint64(0), np.uint64(0), np.uint64(0)))
    ms = time_ms(step)
    print(f"INFO {k.name}: decode attention batch {batch}, {length} tokens, {partitions} partitions: {ms:.3f} ms, "
          f"{2 * kc.nbytes / ms / 1e6:.0f} GB/s of K and V")
    prompt, prompt_batch = 1024, 8
    qp = cp.random.standard_normal((prompt_batch, prompt, heads, d), dtype=cp.float32)
    outp = cp.empty((prompt_batch, prompt, heads, d), cp.float16)
    name, grid = prefill_kernel(c, prompt, prompt_batch)
    prefill = k.module.get_function(name)
    ms = time_ms(lambda: prefill(grid, (c["ATTENTION_THREADS"],), (qp, kc, vc, outp, np.int32(prompt), np.int32(0), np.int32(length))), 5)
    print(f"INFO {k.name}: {name} batch {prompt_batch}, {prompt} tokens: {ms:.3f} ms")
    logits = cp.random.standard_normal((batch, c["VOCAB"]), dtype=cp.float32)
    uniforms = cp.random.random(batch, dtype=cp.float32)
    tokens = cp.empty(batch, cp.int32)
    sample = k.module.get_function("sample")
    ms = time_ms(lambda: sample((batch,), (c["SAMPLING_THREADS"],), (logits, uniforms, tokens, np.float32(0.8), np.int32(50), np.float32(0.9))), 10)
    print(f"INFO {k.name}: sample (top-k 50, top-p 0.9) of {batch} rows over {c['VOCAB']} logits: {ms:.3f} ms")


def main():
    sources, fixtures = sys.argv[1], sys.argv[2]
    arch = cp.cuda.Device().compute_capability  # e.g. "90"
    rng = np.random.default_rng(7)
    for path in sorted(glob.glob(os.path.join(sources, "*.cu"))):
        k = Kernels(path, arch)
        if k.module is None:
            continue
        bf16 = "__nv_bfloat16 elem_t" in k.source
        check_attention(k, rng, batch=2, length=37, tokens_per_partition=64, bf16=bf16)
        check_attention(k, rng, batch=3, length=1000, tokens_per_partition=96, bf16=bf16)
        check_attention(k, rng, batch=1, length=130, tokens_per_partition=1, bf16=bf16)
        check_prefill_attention(k, rng, batch=2, tokens=100, first_position=0, bf16=bf16)
        check_prefill_attention(k, rng, batch=3, tokens=37, first_position=70, bf16=bf16)
        if not bf16:
            check_sampling(k, rng)
        if k.c["HIDDEN"] >= 4096 and not bf16:
            benchmark(k)
        folder = os.path.join(fixtures, k.name)
        if os.path.isdir(folder):
            check_fixture(k, folder)
    print(f"{len(failures)} failed: {failures}" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
