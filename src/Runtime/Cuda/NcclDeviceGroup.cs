using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Several GPUs of this host with one NCCL communicator each, made together by ncclCommInitAll: rank i runs on the i-th
    /// ordinal given. The group opens the devices (a context per GPU) and owns them and the communicators; its collectives
    /// are issued for every rank from the calling thread, inside one NCCL group.
    /// </summary>
    internal sealed class NcclDeviceGroup : IDisposable
    {
        private readonly CudaDevice[] _devices;

        private NcclDeviceGroup(CudaDevice[] devices, NcclCommunicator[] communicators)
        {
            _devices = devices;
            Communicators = communicators;
        }

        /// <summary>Rank i's communicator, on the i-th ordinal opened.</summary>
        public IReadOnlyList<NcclCommunicator> Communicators { get; }

        public int RankCount => Communicators.Count;

        /// <summary>Every GPU the driver sees, ranked in ordinal order.</summary>
        /// <exception cref="CudaUnavailableException">No driver, no GPU, or no NCCL; the message is one sentence.</exception>
        public static NcclDeviceGroup OpenAll()
        {
            int count = CudaDevice.Count();
            if (count == 0)
                throw new CudaUnavailableException($"The CUDA driver ({CudaLibraries.PathOf(CudaLibrary.Driver)}) found no GPU, so there are no GPUs to join through NCCL.");
            return Open(Enumerable.Range(0, count).ToArray());
        }

        /// <param name="ordinals">The GPUs, each once (NCCL hangs with one GPU as two ranks).</param>
        /// <exception cref="CudaUnavailableException">No driver, an ordinal past the last GPU, or no NCCL; the message is one sentence.</exception>
        public static unsafe NcclDeviceGroup Open(IReadOnlyList<int> ordinals)
        {
            RequireDistinct(ordinals);
            NcclLibrary.Require();
            var devices = new List<CudaDevice>();
            try
            {
                foreach (int ordinal in ordinals)
                    devices.Add(CudaDevice.Open(ordinal));
                var comms = new IntPtr[ordinals.Count];
                var list = ordinals.ToArray();
                fixed (IntPtr* commsPointer = comms)
                fixed (int* listPointer = list)
                    Nccl.Check(Nccl.ncclCommInitAll(commsPointer, list.Length, listPointer), nameof(Nccl.ncclCommInitAll));
                var communicators = devices.Select((device, rank) => new NcclCommunicator(device, comms[rank], rank, list.Length)).ToArray();
                devices[0].MakeCurrent(); // opening made each GPU current in turn; rank 0's is the group's default
                return new NcclDeviceGroup(devices.ToArray(), communicators);
            }
            catch
            {
                foreach (var device in devices)
                    device.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Every rank's <c>Receive</c> = the sum of every rank's <c>Send</c> (<paramref name="count"/> elements of
        /// <paramref name="type"/>), queued on each rank's stream. <paramref name="ranks"/>[i] lives on rank i's GPU. All of it
        /// is checked before any rank is issued, so a bad argument cannot leave ranks waiting for one that never comes.
        /// </summary>
        public void AllReduceSum(IReadOnlyList<(DeviceBuffer Send, DeviceBuffer Receive, CudaStream Stream)> ranks, long count, CudaElementType type)
        {
            if (ranks.Count != RankCount)
                throw new ArgumentException($"An all-reduce over {RankCount} ranks needs one send/receive pair per rank, not {ranks.Count}.", nameof(ranks));
            for (int rank = 0; rank < RankCount; rank++)
                Communicators[rank].RequireAllReduce(ranks[rank].Send, ranks[rank].Receive, count, type);
            NcclLibrary.Group(() =>
            {
                for (int rank = 0; rank < RankCount; rank++)
                    Communicators[rank].AllReduceSum(ranks[rank].Send, ranks[rank].Receive, count, type, ranks[rank].Stream);
            });
        }

        /// <summary>Destroys the communicators (ncclCommDestroy does not wait for the other ranks), then lets go of the GPUs.</summary>
        public void Dispose()
        {
            foreach (var communicator in Communicators)
                communicator.Dispose();
            foreach (var device in _devices)
                device.Dispose();
        }

        internal static void RequireDistinct(IReadOnlyList<int> ordinals)
        {
            if (ordinals.Count == 0)
                throw new ArgumentException("An NCCL group needs at least one GPU.", nameof(ordinals));
            var repeated = ordinals.GroupBy(o => o).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null)
                throw new ArgumentException($"GPU {repeated.Key} is listed {repeated.Count()} times; an NCCL group takes each GPU once, as one rank.", nameof(ordinals));
        }
    }
}
