using System.Collections.Generic;

namespace Kvpr.Text
{
    /// <summary>Each request's completion, in request order, and the engine's result with its step statistics.</summary>
    public sealed record TextGenerationResult(IReadOnlyList<TextCompletion> Completions, GenerationResult Generation);
}
