namespace Kvpr.Planning
{
    /// <summary>
    /// The sizes of one decode step of one micro-batch: <see cref="Batch"/> sequences whose host store
    /// holds <see cref="Length"/> tokens each (prompt plus tokens generated so far; this is the paper's s'),
    /// of which the first <see cref="RecomputeTokens"/> (the paper's l) are recomputed from their stored
    /// activations, the last <see cref="HostTokens"/> are attended to by the CPU where the host store keeps them (CPU
    /// attention), and the ones between have their K and V transferred. The new token's own K and V are computed
    /// by the layer itself and written back.
    /// </summary>
    public sealed record StepShape(int Batch, int Length, int RecomputeTokens, int HostTokens = 0)
    {
        /// <summary>Tokens whose K and V cross PCIe: s' − l − (tokens the CPU attends to).</summary>
        public int TransferredTokens => Length - RecomputeTokens - HostTokens;

        /// <summary>The first token the CPU attends to (l₂): tokens [l₂, s') stay in the host store.</summary>
        public int HostStart => Length - HostTokens;
    }
}
