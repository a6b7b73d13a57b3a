// prefill_attention of an emitted model source (compiled in front of this file with -include), emulated on the CPU,
// against float64 causal attention: see prefill_attention_reference.h for the arguments and output.
#include "prefill_attention_reference.h"

void launch_prefill_attention(const float* q, const elem_t* keys, const elem_t* values, elem_t* out, int batch, int tokens, int first_position, int capacity)
{
    const unsigned query_blocks = (tokens + PREFILL_QUERIES - 1) / PREFILL_QUERIES;
    emulator::launch({query_blocks, HEADS / HEADS_PER_BLOCK, (unsigned)batch}, ATTENTION_THREADS, [&] {
        prefill_attention(q, keys, values, out, tokens, first_position, capacity);
    });
}
