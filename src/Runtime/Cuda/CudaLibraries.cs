using System;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Loads the CUDA libraries from where <see cref="CudaLibrarySearch"/> says, on first use only, and routes the
    /// bindings' <c>LibraryImport</c> names to them, so that nothing in the toolkit needs CUDA until the CUDA device is chosen.
    /// </summary>
    public static class CudaLibraries
    {
        internal const string DriverImport = "kvpr-cuda-driver";
        internal const string NvrtcImport = "kvpr-nvrtc";
        internal const string CublasImport = "kvpr-cublas";
        internal const string NcclImport = "kvpr-nccl";

        private static readonly ConcurrentDictionary<CudaLibrary, Lazy<(IntPtr Handle, string Path)>> Loaded = new();
        private static readonly object ResolverLock = new();
        private static bool _resolverSet;

        /// <summary>The path each library was loaded from (for reports), loading it if needed.</summary>
        /// <exception cref="CudaUnavailableException">The library is not installed where it was looked for.</exception>
        public static string PathOf(CudaLibrary library) => Load(library).Path;

        /// <summary>Whether the driver loads and finds at least one GPU; never throws.</summary>
        public static bool IsDriverUsable()
        {
            try
            {
                return CudaDevice.Count() > 0;
            }
            catch (CudaUnavailableException)
            {
                return false;
            }
            catch (CudaException)
            {
                return false;
            }
        }

        internal static (IntPtr Handle, string Path) Load(CudaLibrary library) =>
            Loaded.GetOrAdd(library, l => new Lazy<(IntPtr, string)>(() => LoadFirstCandidate(l))).Value;

        /// <summary>Called from each binding's static constructor: the resolver must be in place before the first native call.</summary>
        internal static void EnsureResolver()
        {
            lock (ResolverLock)
            {
                if (_resolverSet)
                    return;
                NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
                _resolverSet = true;
            }
        }

        /// <summary>One sentence for a library that is missing: what was looked for, where, and what it means.</summary>
        public static string MissingSentence(CudaLibrary library, CudaLibrarySearch search)
        {
            string names = string.Join(" or ", CudaLibrarySearch.FileNames(library));
            string where = $"{CudaLibrarySearch.LibraryPathVariable}, {string.Join(", ", search.Folders(library))} and the system loader's path";
            const string noNccl = "so GPUs cannot reduce across each other through NCCL";
            return library switch
            {
                CudaLibrary.Driver => $"No CUDA driver was found ({names} is not in {where}), so the CUDA device cannot be used on this machine.",
                CudaLibrary.Nvrtc => $"NVRTC was not found ({names} is not in {where}), so CUDA kernels cannot be compiled; install the CUDA toolkit or set {CudaLibrarySearch.LibraryPathVariable}.",
                CudaLibrary.Cublas => $"cuBLAS was not found ({names} is not in {where}), so GEMMs cannot run on the GPU; install the CUDA toolkit or set {CudaLibrarySearch.LibraryPathVariable}.",
                _ when search.NcclFile is { } chosen =>
                    $"NCCL could not be loaded from {CudaLibrarySearch.NcclFileVariable}={chosen} (no such file, or not a loadable libnccl for this machine), {noNccl}; point {CudaLibrarySearch.NcclFileVariable} at libnccl.so.2, or unset it to search the CUDA and Python package folders.",
                _ => $"NCCL was not found ({names} is not in {where}), {noNccl}; install the nvidia-nccl-cu13 Python package or set {CudaLibrarySearch.NcclFileVariable} to the path of libnccl.so.2.",
            };
        }

        private static (IntPtr, string) LoadFirstCandidate(CudaLibrary library)
        {
            var search = CudaLibrarySearch.ForThisProcess;
            foreach (var candidate in search.Candidates(library))
                if (NativeLibrary.TryLoad(candidate, out var handle))
                    return (handle, candidate);
            throw new CudaUnavailableException(MissingSentence(library, search));
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
        {
            DriverImport => Load(CudaLibrary.Driver).Handle,
            NvrtcImport => Load(CudaLibrary.Nvrtc).Handle,
            CublasImport => Load(CudaLibrary.Cublas).Handle,
            NcclImport => Load(CudaLibrary.Nccl).Handle,
            _ => IntPtr.Zero,
        };
    }
}
