using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>Token embeddings, plus OPT's learned positions, into the float residual stream.</summary>
    internal static class EmbeddingKernel
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            bool learnedPositions = spec.UsesLearnedPositions();
            var parameters = new List<KernelParameter>
            {
                new("const int*", "token_ids", "[rows] token of each row, in [0, VOCAB) (checked by the caller)"),
                new("const elem_t*", "token_table", "[VOCAB][HIDDEN] embed_tokens"),
            };
            if (learnedPositions)
                parameters.Add(new("const elem_t*", "position_table", "[max positions + POSITION_OFFSET][HIDDEN] embed_positions"));
            parameters.Add(new("float*", "hidden", "[rows][HIDDEN] out: the residual stream"));
            if (learnedPositions)
                parameters.AddRange(RowMapping.Parameters());

            string description = learnedPositions
                ? "hidden[r] = token_table[token_ids[r]] + position_table[position(r) + POSITION_OFFSET], in float."
                : "hidden[r] = token_table[token_ids[r]], in float (positions enter through RoPE).";
            string positionRow = learnedPositions
                ? """
const elem_t* position_row = position_table + (long long)(row_position(r, row_tokens, first_position) + POSITION_OFFSET) * HIDDEN;

"""
                : "";
            string sum = learnedPositions ? "to_float(token_row[i]) + to_float(position_row[i])" : "to_float(token_row[i])";
            source.Section("Embeddings");
            source.RowTileKernel(
                KernelNames.Embed, description,
                parameters, spec.Hidden,
                $$"""
const int r = blockIdx.x;
const elem_t* token_row = token_table + (long long)token_ids[r] * HIDDEN;
{{positionRow}}float* out = hidden + (long long)r * HIDDEN;
{{RowTileLoop.Over("HIDDEN", $"out[i] = {sum};")}}
""");
        }
    }
}
