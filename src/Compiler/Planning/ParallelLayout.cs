using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// How N GPUs of one host share a workload: <see cref="DataParallel"/> groups, each decoding its part of the batch, of
    /// <see cref="TensorParallel"/> GPUs that split the model between them. GPU g belongs to group g / TP as rank g mod TP.
    /// </summary>
    public sealed record ParallelLayout(int TensorParallel, int DataParallel)
    {
        public int Gpus => TensorParallel * DataParallel;

        /// <summary>Every TP × DP = <paramref name="gpus"/>, from all tensor parallel to all data parallel.</summary>
        public static IEnumerable<ParallelLayout> For(int gpus) =>
            Enumerable.Range(1, gpus).Where(tp => gpus % tp == 0).Reverse().Select(tp => new ParallelLayout(tp, gpus / tp));

        /// <summary>"1 GPU", "TP 8", "DP 8" or "TP 2 × DP 4".</summary>
        public override string ToString() =>
            Gpus == 1 ? "1 GPU" : DataParallel == 1 ? $"TP {TensorParallel}" : TensorParallel == 1 ? $"DP {DataParallel}" : $"TP {TensorParallel} × DP {DataParallel}";
    }
}
