using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// Logits kept when <see cref="GenerationOptions.CaptureLogits"/> is set: per sequence, the prefill's
    /// logits at every prompt position, and the logits each generated token was chosen from.
    /// </summary>
    public sealed record CapturedLogits(IReadOnlyList<IReadOnlyList<float[]>> Prefill, IReadOnlyList<IReadOnlyList<float[]>> Generated);
}
