// The main of the prefill attention checks: an emitted prefill attention kernel (prefill_attention or
// prefill_attention_mma, same parameters), emulated on the CPU by the check file's launch_prefill_attention, against
// causal attention in float64 on the same 16-bit inputs.
// Arguments: BATCH TOKENS FIRST_POSITION WINDOW: TOKENS query tokens per sequence at positions FIRST_POSITION.., the
// cache holding FIRST_POSITION + TOKENS tokens; WINDOW is the model's sliding window (0 for none: a query at p then
// sees tokens [0, p], else [p - WINDOW + 1, p]). Prints the relative error ||out - reference|| / ||reference||;
// exits 1 on a non-finite output.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include "attention_inputs.h"
#include <vector>

// Runs the kernel under test over the whole grid; defined by the check file.
void launch_prefill_attention(const float* q, const elem_t* keys, const elem_t* values, elem_t* out, int batch, int tokens, int first_position, int capacity);

int main(int argc, char** argv)
{
    if (argc != 5)
        return 2;
    const int batch = atoi(argv[1]), tokens = atoi(argv[2]), first_position = atoi(argv[3]), window = atoi(argv[4]);
    const int capacity = first_position + tokens + 2;
    std::vector<float> q((size_t)batch * tokens * HEADS * HEAD_DIM);
    std::vector<elem_t> keys((size_t)batch * capacity * KV_DIM), values(keys.size());
    fill_attention_inputs(11, q, keys, values);

    std::vector<elem_t> out(q.size(), to_elem(NAN));
    launch_prefill_attention(q.data(), keys.data(), values.data(), out.data(), batch, tokens, first_position, capacity);

    double error = 0, norm = 0;
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < tokens; ++t)
            for (int h = 0; h < HEADS; ++h)
            {
                const int position = first_position + t, first_seen = window > 0 ? std::max(0, position - window + 1) : 0;
                const size_t head_column = (size_t)(h / GROUP_SIZE) * HEAD_DIM, query = (((size_t)b * tokens + t) * HEADS + h) * HEAD_DIM;
                std::vector<double> weight(position + 1);
                double largest = -INFINITY, total = 0;
                for (int j = first_seen; j <= position; ++j)
                {
                    double score = 0;
                    for (int e = 0; e < HEAD_DIM; ++e)
                        score += (double)q[query + e] * to_float(keys[((size_t)b * capacity + j) * KV_DIM + head_column + e]);
                    weight[j] = score;
                    largest = std::fmax(largest, score);
                }
                for (int j = first_seen; j <= position; ++j)
                    total += weight[j] = std::exp(weight[j] - largest);
                for (int e = 0; e < HEAD_DIM; ++e)
                {
                    double expected = 0;
                    for (int j = first_seen; j <= position; ++j)
                        expected += weight[j] * to_float(values[((size_t)b * capacity + j) * KV_DIM + head_column + e]);
                    expected /= total;
                    const double actual = to_float(out[query + e]);
                    if (!std::isfinite(actual))
                    {
                        printf("non-finite output at sequence %d, token %d, head %d, element %d\n", b, t, h, e);
                        return 1;
                    }
                    error += (actual - expected) * (actual - expected);
                    norm += expected * expected;
                }
            }
    printf("%.6e\n", std::sqrt(error / norm));
    return 0;
}
