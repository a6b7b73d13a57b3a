namespace Kvpr
{
    /// <summary>What a weight tensor is for, independent of the family's naming of it.</summary>
    public enum WeightMapRole
    {
        TokenEmbedding,
        /// <summary>OPT's learned position table, [MaxPositions + 2, Hidden].</summary>
        PositionEmbedding,
        AttentionNormWeight,
        AttentionNormBias,
        QueryWeight,
        QueryBias,
        KeyWeight,
        KeyBias,
        ValueWeight,
        ValueBias,
        AttentionOutputWeight,
        AttentionOutputBias,
        MlpNormWeight,
        MlpNormBias,
        /// <summary>The gate of a gated MLP (Llama's gate_proj).</summary>
        GateWeight,
        GateBias,
        /// <summary>The MLP's first projection (OPT's fc1, Llama's up_proj).</summary>
        UpWeight,
        UpBias,
        /// <summary>The MLP's projection back to the hidden size (OPT's fc2, Llama's down_proj).</summary>
        DownWeight,
        DownBias,
        FinalNormWeight,
        FinalNormBias,
        LmHead,
    }
}
