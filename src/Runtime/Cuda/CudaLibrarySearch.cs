using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Where the CUDA libraries and headers are looked for, in order: the folders in
    /// <see cref="LibraryPathVariable"/>, <c>$CUDA_HOME</c>, <c>/usr/local/cuda</c>, then the driver's folders.
    /// Pure: the environment and the file system come in as functions, so the order is testable without CUDA.
    /// </summary>
    public sealed class CudaLibrarySearch
    {
        /// <summary>Folders (separated by the platform's path separator) searched before any other.</summary>
        public const string LibraryPathVariable = "KVPR_CUDA_LIBRARY_PATH";
        /// <summary>A folder holding cuda_fp16.h, searched before any other.</summary>
        public const string IncludePathVariable = "KVPR_CUDA_INCLUDE_PATH";
        public const string CudaHomeVariable = "CUDA_HOME";
        private const string DefaultCudaHome = "/usr/local/cuda";
        private const string Fp16Header = "cuda_fp16.h";

        /// <summary>Where container images and distributions put libcuda (it comes with the driver, not the toolkit).</summary>
        private static readonly string[] DriverFolders =
        {
            "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib",
        };

        private readonly Func<string, string?> _environment;
        private readonly Func<string, bool> _fileExists;

        public CudaLibrarySearch(Func<string, string?> environment, Func<string, bool> fileExists)
        {
            _environment = environment;
            _fileExists = fileExists;
        }

        /// <summary>The search over this process's environment and file system.</summary>
        public static CudaLibrarySearch ForThisProcess { get; } = new(Environment.GetEnvironmentVariable, File.Exists);

        /// <summary>File names of a library, newest major version first (the driver has had one soname for years).</summary>
        public static IReadOnlyList<string> FileNames(CudaLibrary library) => library switch
        {
            CudaLibrary.Driver => new[] { "libcuda.so.1", "libcuda.so" },
            CudaLibrary.Nvrtc => new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so" },
            CudaLibrary.Cublas => new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so" },
            _ => throw new ArgumentOutOfRangeException(nameof(library), library, null),
        };

        /// <summary>The folders searched, in order, without duplicates (the same for every library).</summary>
        public IReadOnlyList<string> Folders()
        {
            var folders = new List<string>(OverrideFolders(LibraryPathVariable));
            foreach (var home in CudaHomes())
                folders.Add(Path.Combine(home, "lib64"));
            folders.AddRange(DriverFolders);
            return folders.Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>Existing files to try loading, in order; the bare file names come last for the system loader (LD_LIBRARY_PATH, ldconfig).</summary>
        public IReadOnlyList<string> Candidates(CudaLibrary library)
        {
            var names = FileNames(library);
            var found = Folders().SelectMany(folder => names.Select(name => Path.Combine(folder, name))).Where(_fileExists);
            return found.Concat(names).ToArray();
        }

        /// <summary>The first folder holding cuda_fp16.h: the override, the CUDA homes, or the toolkit beside NVRTC.</summary>
        public string? IncludeFolder(string? nvrtcPath)
        {
            var folders = new List<string>(OverrideFolders(IncludePathVariable));
            folders.AddRange(CudaHomes().Select(home => Path.Combine(home, "include")));
            if (nvrtcPath is not null && Path.GetDirectoryName(nvrtcPath) is { Length: > 0 } libFolder)
                folders.Add(Path.GetFullPath(Path.Combine(libFolder, "..", "include")));
            return folders.FirstOrDefault(f => _fileExists(Path.Combine(f, Fp16Header)));
        }

        private IEnumerable<string> OverrideFolders(string variable) =>
            (_environment(variable) ?? "").Split(Path.PathSeparator).Where(f => f.Length > 0);

        private IEnumerable<string> CudaHomes()
        {
            if (_environment(CudaHomeVariable) is { Length: > 0 } home)
                yield return home;
            yield return DefaultCudaHome;
        }
    }
}
