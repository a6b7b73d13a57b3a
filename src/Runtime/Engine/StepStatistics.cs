using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// What one step did. Step 0 is the prefill over the prompt; decode step i ≥ 1 reads <see cref="Length"/>
    /// = s' stored tokens per sequence, of which layer j recomputed the first <see cref="RecomputeTokens"/>[j]
    /// (0 for layers whose KV stays on the device) and transferred the rest.
    /// </summary>
    public sealed record StepStatistics(int Step, int Length, int Sequences, IReadOnlyList<int> RecomputeTokens,
        long HostToDeviceBytes, long DeviceToHostBytes, PhaseTimes Times)
    {
        public bool IsPrefill => Step == 0;
    }
}
