#pragma once
#include "cuda_shim.h"
struct __half { unsigned short bits; };
struct __half2 { __half x, y; };
float __half2float(__half x);
__half __float2half_rn(float x);
float2 __half22float2(__half2 x);
