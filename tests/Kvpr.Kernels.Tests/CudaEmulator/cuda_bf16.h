#pragma once
#include "cuda_emulator.h"
#include "../CudaShim/cuda_bf16.h"

inline float __bfloat162float(__nv_bfloat16 h) { return __uint_as_float((unsigned)h.bits << 16); }

// Round to nearest even, as __float2bfloat16_rn (finite inputs).
inline __nv_bfloat16 __float2bfloat16_rn(float x)
{
    const unsigned u = __float_as_uint(x);
    return {(unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16)};
}

inline float2 __bfloat1622float2(__nv_bfloat162 h) { return {__bfloat162float(h.x), __bfloat162float(h.y)}; }
