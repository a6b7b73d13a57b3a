// Runs emitted kernels on the CPU, for tests on machines without a GPU: the CUDA built-ins they use, defined.
// A launch runs its blocks one after another; each thread of a block is a ucontext fiber, and __syncthreads and
// the warp shuffles are rendezvous where a fiber yields until its block (or warp) has arrived. Shared memory (static
// locals, by the shim) is one copy that the threads of the running block share, as on the GPU. Single-threaded and
// slow, but exact about synchronisation: a read that misses its barrier sees stale data and fails the check.
#pragma once
// The declarations g++ type-checks the kernels against; defined below.
#include "../CudaShim/cuda_shim.h"
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>
#include <functional>
#include <vector>

uint3_shim threadIdx, blockIdx, blockDim, gridDim;
inline unsigned __float_as_uint(float x) { unsigned u; memcpy(&u, &x, 4); return u; }
inline float __uint_as_float(unsigned u) { float x; memcpy(&x, &u, 4); return x; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }

namespace emulator
{
constexpr int StackBytes = 64 * 1024;

struct Fiber
{
    ucontext_t context;
    std::vector<char> stack;
    bool done = false;
};

inline std::vector<Fiber> fibers;
inline ucontext_t scheduler;
inline unsigned running;
inline std::function<void()> kernel;
inline unsigned block_generation, block_arrived;
inline unsigned warp_generation[32], warp_arrived[32];
inline float warp_values[32][32];
inline unsigned mma_a[32][32][4], mma_b[32][32][2];

inline void yield() { swapcontext(&fibers[running].context, &scheduler); }

inline void run_thread()
{
    kernel();
    fibers[running].done = true;
    yield();
}

// Waits until `expected` threads have called it with the same counters (a barrier that can be used again).
inline void rendezvous(unsigned& generation, unsigned& arrived, unsigned expected)
{
    const unsigned mine = generation;
    if (++arrived == expected)
    {
        arrived = 0;
        ++generation;
        return;
    }
    while (generation == mine)
        yield();
}

// Runs `body` (a call of one kernel) once per thread of every block of the grid.
inline void launch(uint3_shim grid, unsigned threads, std::function<void()> body)
{
    kernel = std::move(body);
    gridDim = grid;
    blockDim = {threads, 1, 1};
    for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
            for (unsigned x = 0; x < grid.x; ++x)
            {
                blockIdx = {x, y, z};
                fibers.resize(threads);  // stacks are kept from block to block
                for (Fiber& fiber : fibers)
                {
                    fiber.done = false;
                    fiber.stack.resize(StackBytes);
                    getcontext(&fiber.context);
                    fiber.context.uc_stack.ss_sp = fiber.stack.data();
                    fiber.context.uc_stack.ss_size = fiber.stack.size();
                    fiber.context.uc_link = nullptr;
                    makecontext(&fiber.context, run_thread, 0);
                }
                for (bool any = true; any;)
                {
                    any = false;
                    for (running = 0; running < threads; ++running)
                    {
                        if (fibers[running].done)
                            continue;
                        any = true;
                        threadIdx = {running, 0, 0};
                        swapcontext(&scheduler, &fibers[running].context);
                    }
                }
            }
}
}

inline void __syncthreads() { emulator::rendezvous(emulator::block_generation, emulator::block_arrived, blockDim.x); }

inline float __shfl_xor_sync(unsigned mask, float value, int lane_mask)
{
    if (mask != 0xffffffffu || blockDim.x % 32 != 0)
        abort();  // the kernels shuffle whole warps only
    const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    emulator::warp_values[warp][lane] = value;
    emulator::rendezvous(emulator::warp_generation[warp], emulator::warp_arrived[warp], 32);
    const float other = emulator::warp_values[warp][lane ^ lane_mask];
    emulator::rendezvous(emulator::warp_generation[warp], emulator::warp_arrived[warp], 32);
    return other;
}

// An mma operand (the bits of an elem_t) as a float: defined by the check programs, which know elem_t.
float mma_operand(unsigned short bits);

// mma.sync m16n8k16 with float accumulators, written from PTX's fragment layout independently of the kernels: the
// warp's lanes leave their fragments, meet, and each computes its four D elements in float from the whole A and B.
// A[row][k] is in lane 4 * (row % 8) + k % 8 / 2, register row / 8 + 2 * (k / 8); B[k][col] in lane 4 * col + k % 8 / 2,
// register k / 8; an even k in a register's low half. Lane l holds D[l / 4 + 8 * (i / 2)][l % 4 * 2 + i % 2] in d[i].
inline void mma_16x8x16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
    const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    memcpy(emulator::mma_a[warp][lane], a, sizeof a);
    memcpy(emulator::mma_b[warp][lane], b, sizeof b);
    emulator::rendezvous(emulator::warp_generation[warp], emulator::warp_arrived[warp], 32);
    const auto operand = [](unsigned reg, int k) { return mma_operand((unsigned short)(k % 2 ? reg >> 16 : reg & 0xffffu)); };
    for (int i = 0; i < 4; ++i)
    {
        const int row = lane / 4 + 8 * (i / 2), col = lane % 4 * 2 + i % 2;
        float sum = d[i];
        for (int k = 0; k < 16; ++k)
            sum += operand(emulator::mma_a[warp][4 * (row % 8) + k % 8 / 2][row / 8 + 2 * (k / 8)], k)
                 * operand(emulator::mma_b[warp][4 * col + k % 8 / 2][k / 8], k);
        d[i] = sum;
    }
    emulator::rendezvous(emulator::warp_generation[warp], emulator::warp_arrived[warp], 32);
}

// Built-ins of kernels the emulated checks do not run: present so the translation unit links.
inline int __shfl_xor_sync(unsigned, int, int) { abort(); }
inline float __shfl_up_sync(unsigned, float, unsigned) { abort(); }
inline int atomicMin(int*, int) { abort(); }
