namespace Kvpr.Parallelism
{
    /// <summary>
    /// What one rank holds of a weight: <see cref="Count"/> rows (<see cref="WeightSplit.OutputRows"/>) or columns
    /// (<see cref="WeightSplit.InputColumns"/>) from <see cref="Start"/>; the whole tensor otherwise.
    /// </summary>
    public sealed record WeightSlice(WeightSplit Split, int Start, int Count)
    {
        /// <summary>Whether the rank holds all of the tensor.</summary>
        public bool IsWhole => Split is WeightSplit.Replicated or WeightSplit.AddedByResidualOwner;

        public override string ToString() => Split switch
        {
            WeightSplit.OutputRows => $"rows [{Start}, {Start + Count})",
            WeightSplit.InputColumns => $"columns [{Start}, {Start + Count})",
            _ => Split.ToString(),
        };
    }
}
