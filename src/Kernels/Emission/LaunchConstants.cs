namespace Kvpr.Kernels.Emission
{
    /// <summary>Block sizes and tiles of the kernels, emitted as constexprs and reported in the launch shapes.</summary>
    internal static class LaunchConstants
    {
        /// <summary>Block of the kernels over token rows: a block per row (norms), or per row and column tile (elementwise, epilogues).</summary>
        public const int RowThreads = 256;

        /// <summary>
        /// Columns of a row each thread of an elementwise kernel handles, <see cref="RowThreads"/> apart: a block covers a
        /// tile of RowThreads × ColumnsPerThread columns, so a decode step's few rows still spread over every multiprocessor.
        /// </summary>
        public const int ColumnsPerThread = 4;

        public const int RowTile = RowThreads * ColumnsPerThread;

        /// <summary>Block of normalize, which keeps a row in registers: wide, so a decode step's few rows issue many loads at once.</summary>
        public const int NormThreads = 1024;

        public const int AttentionThreads = 128;

        /// <summary>Tokens a prefill attention block scores per pass before folding them into its running softmax.</summary>
        public const int AttentionTile = 64;

        /// <summary>Query tokens a prefill_attention_mma block serves: 16 mma rows for each of its ATTENTION_THREADS / 32 warps.</summary>
        public const int MmaQueries = AttentionThreads / 32 * 16;

        /// <summary>The most shared memory a block may declare statically (CUDA's limit without opting in to more).</summary>
        public const int StaticSharedBytes = 48 * 1024;

        /// <summary>Vocabulary scans (argmax, sampling) use the largest block so each thread reads few logits.</summary>
        public const int SamplingThreads = 1024;

        /// <summary>Static shared memory an attention block may use for its query heads' state.</summary>
        public const int AttentionSharedBytes = 32 * 1024;
    }
}
