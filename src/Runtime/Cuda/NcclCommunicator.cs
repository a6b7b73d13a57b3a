using System;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// One rank of an NCCL communicator: the GPU it runs on and its place among the ranks. Its collectives are queued on a
    /// stream of that GPU. Ranks driven from one thread issue their collectives inside <see cref="NcclLibrary.Group"/>
    /// (<see cref="NcclDeviceGroup"/> does); a rank with a thread of its own needs no group.
    /// </summary>
    internal sealed class NcclCommunicator : IDisposable
    {
        internal NcclCommunicator(CudaDevice device, IntPtr comm, int rank, int rankCount)
        {
            Device = device;
            Handle = new NcclCommHandle(device.Context, comm);
            Rank = rank;
            RankCount = rankCount;
        }

        public CudaDevice Device { get; }
        public NcclCommHandle Handle { get; }
        public int Rank { get; }
        public int RankCount { get; }

        /// <summary>
        /// Rank <paramref name="rank"/> of <paramref name="rankCount"/>, on <paramref name="device"/>. It returns once every rank
        /// has joined with the same <paramref name="id"/>: each rank calls from its own thread, or all from one thread inside
        /// <see cref="NcclLibrary.Group"/>.
        /// </summary>
        /// <exception cref="CudaUnavailableException">NCCL is not installed where it was looked for.</exception>
        public static NcclCommunicator InitRank(CudaDevice device, NcclUniqueId id, int rank, int rankCount)
        {
            if (rankCount < 1 || rank < 0 || rank >= rankCount)
                throw new ArgumentOutOfRangeException(nameof(rank), rank, $"A communicator of {rankCount} ranks has ranks 0 to {rankCount - 1}.");
            NcclLibrary.Require();
            device.MakeCurrent(); // NCCL takes the rank's GPU from the calling thread's current context
            Nccl.Check(Nccl.ncclCommInitRank(out var comm, rankCount, id, rank), nameof(Nccl.ncclCommInitRank));
            return new NcclCommunicator(device, comm, rank, rankCount);
        }

        /// <summary>
        /// Queues on <paramref name="stream"/> (of this rank's GPU): <paramref name="receive"/> = the sum over all ranks of their
        /// <paramref name="send"/>, <paramref name="count"/> elements of <paramref name="type"/>; in place when both are one buffer.
        /// </summary>
        public void AllReduceSum(DeviceBuffer send, DeviceBuffer receive, long count, CudaElementType type, CudaStream stream)
        {
            RequireAllReduce(send, receive, count, type);
            Device.MakeCurrent();
            var comm = Handle.DangerousGetHandle();
            Nccl.Check(Nccl.ncclAllReduce(send.Address, receive.Address, (nuint)count, type.NcclType(), Nccl.OperationSum, comm, stream.Raw), nameof(Nccl.ncclAllReduce), comm);
        }

        /// <summary>The checks of <see cref="AllReduceSum"/>, for a caller that must check every rank before issuing any.</summary>
        public void RequireAllReduce(DeviceBuffer send, DeviceBuffer receive, long count, CudaElementType type)
        {
            if (count <= 0)
                throw new ArgumentOutOfRangeException(nameof(count), count, $"An all-reduce on rank {Rank} needs a positive element count.");
            long bytes = checked(count * type.Bytes());
            send.RequireCapacity(bytes, nameof(send));
            receive.RequireCapacity(bytes, nameof(receive));
        }

        public void Dispose() => Handle.Dispose();
    }
}
