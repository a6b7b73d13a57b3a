using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>The generated tokens of each sequence (prompt excluded), per-step statistics and, if asked for, logits.</summary>
    public sealed record GenerationResult(int[][] Tokens, IReadOnlyList<StepStatistics> Steps, CapturedLogits? Logits);
}
