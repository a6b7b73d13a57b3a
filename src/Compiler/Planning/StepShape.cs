namespace Kvpr.Planning
{
    /// <summary>
    /// The sizes of one decode step of one micro-batch: <see cref="Batch"/> sequences whose host store
    /// holds <see cref="Length"/> tokens each (prompt plus tokens generated so far; this is the paper's s'),
    /// of which the first <see cref="RecomputeTokens"/> (the paper's l) are recomputed from their stored
    /// activations and the rest have their K and V transferred. The new token's own K and V are computed
    /// by the layer itself and written back.
    /// </summary>
    public sealed record StepShape(int Batch, int Length, int RecomputeTokens)
    {
        /// <summary>Tokens whose K and V cross PCIe: s' − l.</summary>
        public int TransferredTokens => Length - RecomputeTokens;
    }
}
