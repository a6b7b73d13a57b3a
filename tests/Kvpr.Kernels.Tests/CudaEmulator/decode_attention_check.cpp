// decode_attention + attention_combine of an emitted model source (compiled in front of this file with
// -include), emulated on the CPU, against attention in float64 on the same 16-bit inputs. With two or more partitions the
// combine runs twice: over all of them, and with the last one passed as the CPU's partial (host_acc, host_max, host_sum).
// Usage: decode_attention_check BATCH LENGTH TOKENS_PER_PARTITION PARTITIONS WINDOW (the model's sliding window, 0 for
// none: the new token then sees the last WINDOW tokens only). Prints the relative error
// ||out - reference|| / ||reference|| (the larger of the two combines'); exits 1 on a non-finite output.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include "attention_inputs.h"
#include <vector>

int main(int argc, char** argv)
{
    if (argc != 6)
        return 2;
    const int batch = atoi(argv[1]), length = atoi(argv[2]), tokens_per_partition = atoi(argv[3]), partitions = atoi(argv[4]), window = atoi(argv[5]);
    const int first_seen = window > 0 && length > window ? length - window : 0;
    const int capacity = length + 3;
    std::vector<float> q((size_t)batch * HEADS * HEAD_DIM);
    std::vector<elem_t> keys((size_t)batch * capacity * KV_DIM), values(keys.size());
    fill_attention_inputs(7, q, keys, values);

    const size_t partials = (size_t)batch * HEADS * partitions;
    std::vector<float> acc(partials * HEAD_DIM, NAN), max(partials, NAN), sum(partials, NAN);
    std::vector<elem_t> out((size_t)batch * HEADS * HEAD_DIM, to_elem(NAN));
    emulator::launch({(unsigned)partitions, HEADS / DECODE_HEADS_PER_BLOCK, (unsigned)batch}, ATTENTION_THREADS, [&] {
        decode_attention(q.data(), keys.data(), values.data(), acc.data(), max.data(), sum.data(), length, tokens_per_partition, capacity);
    });
    emulator::launch({HEADS, (unsigned)batch, 1}, HEAD_DIM, [&] { attention_combine(acc.data(), max.data(), sum.data(), out.data(), partitions, nullptr, nullptr, nullptr); });
    std::vector<std::vector<elem_t>> outputs{out};
    if (partitions >= 2)
    {
        // The last partition as the CPU's partial, in arrays of its own: [batch][HEADS][HEAD_DIM] and [batch][HEADS].
        const size_t last = (size_t)batch * HEADS * (partitions - 1);
        std::vector<float> host_acc(acc.begin() + last * HEAD_DIM, acc.end()), host_max(max.begin() + last, max.end()), host_sum(sum.begin() + last, sum.end());
        std::vector<elem_t> merged(out.size(), to_elem(NAN));
        emulator::launch({HEADS, (unsigned)batch, 1}, HEAD_DIM, [&] {
            attention_combine(acc.data(), max.data(), sum.data(), merged.data(), partitions - 1, host_acc.data(), host_max.data(), host_sum.data());
        });
        outputs.push_back(merged);
    }

    double worst = 0;
    for (const auto& result : outputs)
    {
        double error = 0, norm = 0;
        for (int b = 0; b < batch; ++b)
            for (int h = 0; h < HEADS; ++h)
            {
                const size_t head_column = (size_t)(h / GROUP_SIZE) * HEAD_DIM;
                std::vector<double> weight(length);
                double largest = -INFINITY, total = 0;
                for (int t = first_seen; t < length; ++t)
                {
                    double score = 0;
                    for (int e = 0; e < HEAD_DIM; ++e)
                        score += (double)q[((size_t)b * HEADS + h) * HEAD_DIM + e] * to_float(keys[((size_t)b * capacity + t) * KV_DIM + head_column + e]);
                    weight[t] = score;
                    largest = std::fmax(largest, score);
                }
                for (int t = first_seen; t < length; ++t)
                    total += weight[t] = std::exp(weight[t] - largest);
                for (int e = 0; e < HEAD_DIM; ++e)
                {
                    double expected = 0;
                    for (int t = first_seen; t < length; ++t)
                        expected += weight[t] * to_float(values[((size_t)b * capacity + t) * KV_DIM + head_column + e]);
                    expected /= total;
                    const double actual = to_float(result[((size_t)b * HEADS + h) * HEAD_DIM + e]);
                    if (!std::isfinite(actual))
                    {
                        printf("non-finite output at sequence %d, head %d, element %d\n", b, h, e);
                        return 1;
                    }
                    error += (actual - expected) * (actual - expected);
                    norm += expected * expected;
                }
            }
        worst = std::fmax(worst, std::sqrt(error / norm));
    }
    printf("%.6e\n", worst);
    return 0;
}
