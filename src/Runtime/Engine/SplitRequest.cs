namespace Kvpr
{
    /// <summary>
    /// What a <see cref="SplitPolicy"/> decides for: decode step <see cref="Step"/> (from 1; prefill has no
    /// split), layer <see cref="Layer"/>, micro-batches of up to <see cref="Batch"/> sequences holding
    /// <see cref="Length"/> tokens each (s').
    /// </summary>
    public readonly record struct SplitRequest(int Step, int Layer, int Batch, int Length);
}
