namespace Kvpr.Parallelism
{
    /// <summary>How one weight role is divided among the ranks of a <see cref="TensorParallel"/> model.</summary>
    public enum WeightSplit
    {
        /// <summary>Every rank holds and uses the whole tensor: norms, embeddings, positions, the head.</summary>
        Replicated,

        /// <summary>
        /// Every rank holds the whole tensor, but only the rank that owns the residual adds it: the biases of the
        /// attention output and of the down projection, whose sum over the ranks would otherwise count them N times.
        /// </summary>
        AddedByResidualOwner,

        /// <summary>
        /// Each rank holds its share of the output rows (a Hugging Face Linear weight is [out, in]): Q, K and V for its heads,
        /// up and gate for its FFN columns; 1-D biases split the same way.
        /// </summary>
        OutputRows,

        /// <summary>Each rank holds the input columns its heads or FFN columns feed: the attention output and down weights.</summary>
        InputColumns,
    }
}
