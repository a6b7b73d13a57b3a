// prefill_attention_mma of an emitted model source (compiled in front of this file with -include), emulated on the
// CPU with the emulator's mma_16x8x16, against float64 causal attention: see prefill_attention_reference.h.
#include "prefill_attention_reference.h"

void launch_prefill_attention(const float* q, const elem_t* keys, const elem_t* values, elem_t* out, int batch, int tokens, int first_position, int capacity)
{
    const unsigned query_blocks = (tokens + MMA_QUERIES - 1) / MMA_QUERIES;
    emulator::launch({query_blocks, HEADS, (unsigned)batch}, ATTENTION_THREADS, [&] {
        prefill_attention_mma(q, keys, values, out, tokens, first_position, capacity);
    });
}
