using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// ncclUniqueId: 128 opaque bytes by which the ranks of one communicator find each other. Made once (<see cref="Create"/>)
    /// and handed to every rank's <see cref="NcclCommunicator.InitRank"/>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct NcclUniqueId
    {
        public const int Bytes = 128;

        private fixed byte _internal[Bytes];

        /// <exception cref="CudaUnavailableException">NCCL is not installed where it was looked for.</exception>
        public static NcclUniqueId Create()
        {
            NcclLibrary.Require();
            Nccl.Check(Nccl.ncclGetUniqueId(out var id), nameof(Nccl.ncclGetUniqueId));
            return id;
        }
    }
}
