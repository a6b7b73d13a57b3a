#pragma once
#include "cuda_emulator.h"
#include "../CudaShim/cuda_fp16.h"

inline float __half2float(__half h)
{
    const unsigned sign = (h.bits & 0x8000u) << 16, exponent = (h.bits >> 10) & 0x1fu, mantissa = h.bits & 0x3ffu;
    if (exponent == 0)
        return (sign ? -1.0f : 1.0f) * ldexpf((float)mantissa, -24);
    if (exponent == 31)
        return __uint_as_float(sign | 0x7f800000u | (mantissa << 13));
    return __uint_as_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// Round to nearest even, as __float2half_rn.
inline __half __float2half_rn(float x)
{
    const unsigned short sign = (unsigned short)((__float_as_uint(x) >> 16) & 0x8000u);
    const float a = fabsf(x);
    if (a != a)
        return {(unsigned short)(sign | 0x7e00u)};
    if (a < 6.103515625e-05f)  // subnormal: a multiple of 2^-24
        return {(unsigned short)(sign | (unsigned)nearbyintf(a * 16777216.0f))};
    int e;
    unsigned significand = (unsigned)nearbyintf(frexpf(a, &e) * 2048.0f);  // a = significand * 2^(e - 11)
    if (significand == 2048)
    {
        significand = 1024;
        ++e;
    }
    const int exponent = e + 14;
    if (exponent >= 31)
        return {(unsigned short)(sign | 0x7c00u)};
    return {(unsigned short)(sign | (exponent << 10) | (significand - 1024))};
}

inline float2 __half22float2(__half2 h) { return {__half2float(h.x), __half2float(h.y)}; }
