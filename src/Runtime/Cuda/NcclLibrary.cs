using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>What NCCL offers beyond one communicator: where it was loaded from, its version, and group calls.</summary>
    internal static class NcclLibrary
    {
        /// <summary>The file NCCL was loaded from, loading it if needed.</summary>
        /// <exception cref="CudaUnavailableException">NCCL is not installed where it was looked for; the message is one sentence.</exception>
        public static string Path => CudaLibraries.PathOf(CudaLibrary.Nccl);

        /// <summary>Loads NCCL before a call into it, so that a missing library is the one sentence, not a failed import.</summary>
        /// <exception cref="CudaUnavailableException">NCCL is not installed where it was looked for.</exception>
        public static void Require() => _ = Path;

        /// <summary>The loaded library's version, e.g. 2.27.7.</summary>
        public static Version Version
        {
            get
            {
                Require();
                Nccl.Check(Nccl.ncclGetVersion(out int code), nameof(Nccl.ncclGetVersion));
                return VersionOf(code);
            }
        }

        /// <summary>NCCL_VERSION_CODE: major·10000 + minor·100 + patch since 2.9, major·1000 + minor·100 + patch before.</summary>
        public static Version VersionOf(int code) => code >= 10000
            ? new Version(code / 10000, code / 100 % 100, code % 100)
            : new Version(code / 1000, code / 100 % 10, code % 100);

        /// <summary>
        /// Runs <paramref name="calls"/> between ncclGroupStart and ncclGroupEnd: one thread issuing a blocking call (init,
        /// a collective) for several ranks must, or the first call waits forever for ranks that are never issued. Arguments
        /// are to be checked before, so that a rank cannot be left out of a group that then launches.
        /// </summary>
        public static void Group(Action calls)
        {
            Require();
            Nccl.Check(Nccl.ncclGroupStart(), nameof(Nccl.ncclGroupStart));
            try
            {
                calls();
            }
            catch
            {
                // The thread must not stay inside the group. After a failed NCCL call NCCL has marked the group failed, and
                // ending it discards it rather than launching it.
                Nccl.ncclGroupEnd();
                throw;
            }
            Nccl.Check(Nccl.ncclGroupEnd(), nameof(Nccl.ncclGroupEnd));
        }
    }
}
