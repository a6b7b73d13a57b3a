namespace Kvpr.Graphs
{
    /// <summary>The two static decode schedules of the paper's system.</summary>
    public enum ScheduleKind
    {
        /// <summary>
        /// Latency: one batch goes through all layers; while layer i computes, layer i+1's weights,
        /// activations and KV are prefetched into the other slot of each double buffer.
        /// </summary>
        RowByRow,

        /// <summary>
        /// Throughput: each layer runs all micro-batches before the next layer, so its weights cross PCIe
        /// once per step for the whole group; the next micro-batch's activations and KV are prefetched while
        /// the current one computes.
        /// </summary>
        ColumnByColumn,
    }
}
