#pragma once
#include "cuda_shim.h"
struct __nv_bfloat16 { unsigned short bits; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
float __bfloat162float(__nv_bfloat16 x);
__nv_bfloat16 __float2bfloat16_rn(float x);
float2 __bfloat1622float2(__nv_bfloat162 x);
