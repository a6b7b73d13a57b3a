// Just enough of CUDA for g++ -fsyntax-only to type-check the emitted kernels on a machine without CUDA.
// Declarations only: nothing here runs. NVRTC on a GPU machine remains the real compiler (Gpu/check_kernels.py).
#pragma once
#include <math.h>

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(threads)

struct uint3_shim { unsigned x, y, z; };
extern uint3_shim threadIdx, blockIdx, blockDim, gridDim;

struct float2 { float x, y; };
struct uint4 { unsigned x, y, z, w; };

void __syncthreads();
float __shfl_xor_sync(unsigned mask, float value, int lane_mask);
int __shfl_xor_sync(unsigned mask, int value, int lane_mask);
float __shfl_up_sync(unsigned mask, float value, unsigned delta);
int atomicMin(int* address, int value);
unsigned __float_as_uint(float x);
float __uint_as_float(unsigned x);
float rsqrtf(float x);
void sincosf(float x, float* sine, float* cosine);
// The emitted kernels' tensor-core step, whose inline PTX only NVRTC compiles (see mma_16x8x16 in the source).
void mma_16x8x16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]);
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
