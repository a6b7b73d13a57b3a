// Random attention inputs shared by the check programs: queries scaled so scores are a few units (a peaked but not
// one-hot softmax), keys and values standard normal in the model's 16-bit type; and the emulator's mma operands.
// elem_t, to_elem and Q_SCALE come from the emitted model source, compiled in front of the check file.
#pragma once
#include <random>
#include <string.h>
#include <vector>

float mma_operand(unsigned short bits)
{
    elem_t element;
    memcpy(&element, &bits, sizeof element);
    return to_float(element);
}

inline void fill_attention_inputs(unsigned seed, std::vector<float>& q, std::vector<elem_t>& keys, std::vector<elem_t>& values)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal;
    for (float& x : q)
        x = normal(random) * 2 * Q_SCALE;
    for (elem_t& x : keys)
        x = to_elem(normal(random));
    for (elem_t& x : values)
        x = to_elem(normal(random));
}
