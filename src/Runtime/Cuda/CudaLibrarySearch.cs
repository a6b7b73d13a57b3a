using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Where the CUDA libraries and headers are looked for, in order: the folders in
    /// <see cref="LibraryPathVariable"/>, <c>$CUDA_HOME</c>, <c>/usr/local/cuda</c>, then the driver's folders; NCCL also
    /// in <c>$LD_LIBRARY_PATH</c> and the Python packages' <c>nvidia/nccl/lib</c>, or only at <see cref="NcclFileVariable"/>.
    /// Pure: the environment and the file system come in as functions, so the order is testable without CUDA.
    /// </summary>
    public sealed class CudaLibrarySearch
    {
        /// <summary>Folders (separated by the platform's path separator) searched before any other.</summary>
        public const string LibraryPathVariable = "KVPR_CUDA_LIBRARY_PATH";
        /// <summary>A folder holding cuda_fp16.h, searched before any other.</summary>
        public const string IncludePathVariable = "KVPR_CUDA_INCLUDE_PATH";
        public const string CudaHomeVariable = "CUDA_HOME";
        /// <summary>The NCCL library file to load: when set, the only candidate (an explicit choice is not second-guessed).</summary>
        public const string NcclFileVariable = "KVPR_NCCL_PATH";
        private const string DefaultCudaHome = "/usr/local/cuda";
        private const string Fp16Header = "cuda_fp16.h";

        /// <summary>Where container images and distributions put libcuda (it comes with the driver, not the toolkit).</summary>
        private static readonly string[] DriverFolders =
        {
            "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib",
        };

        /// <summary>Where NCCL's Python package (nvidia-nccl-cu12, -cu13, which PyTorch installs) keeps the library, under site-packages.</summary>
        private static readonly string NcclPackageFolder = Path.Combine("nvidia", "nccl", "lib");

        private readonly Func<string, string?> _environment;
        private readonly Func<string, bool> _fileExists;
        private readonly Func<string, IEnumerable<string>> _subfolders;

        /// <param name="subfolders">The folders directly inside a folder, as full paths; none for a folder that does not exist.</param>
        public CudaLibrarySearch(Func<string, string?> environment, Func<string, bool> fileExists, Func<string, IEnumerable<string>> subfolders)
        {
            _environment = environment;
            _fileExists = fileExists;
            _subfolders = subfolders;
        }

        /// <summary>The search over this process's environment and file system.</summary>
        public static CudaLibrarySearch ForThisProcess { get; } = new(Environment.GetEnvironmentVariable, File.Exists, SubfoldersOnDisk);

        /// <summary>The value of <see cref="NcclFileVariable"/>, when set.</summary>
        public string? NcclFile => _environment(NcclFileVariable) is { Length: > 0 } file ? file : null;

        /// <summary>File names of a library, newest major version first (the driver has had one soname for years).</summary>
        public static IReadOnlyList<string> FileNames(CudaLibrary library) => library switch
        {
            CudaLibrary.Driver => new[] { "libcuda.so.1", "libcuda.so" },
            CudaLibrary.Nvrtc => new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so" },
            CudaLibrary.Cublas => new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so" },
            CudaLibrary.Nccl => new[] { "libnccl.so.2", "libnccl.so" },
            _ => throw new ArgumentOutOfRangeException(nameof(library), library, null),
        };

        /// <summary>
        /// The folders searched for a library, in order, without duplicates: the same for the toolkit's libraries; NCCL, which
        /// rarely sits beside them, adds <c>$LD_LIBRARY_PATH</c> and the <c>nvidia/nccl/lib</c> of every Python package folder found.
        /// </summary>
        public IReadOnlyList<string> Folders(CudaLibrary library)
        {
            var folders = new List<string>(FoldersIn(LibraryPathVariable));
            foreach (var home in CudaHomes())
                folders.Add(Path.Combine(home, "lib64"));
            folders.AddRange(DriverFolders);
            if (library == CudaLibrary.Nccl)
            {
                folders.AddRange(FoldersIn("LD_LIBRARY_PATH"));
                folders.AddRange(PythonPackageFolders().Select(packages => Path.Combine(packages, NcclPackageFolder)));
            }
            return folders.Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>
        /// Existing files to try loading, in order; the bare file names come last for the system loader (LD_LIBRARY_PATH, ldconfig).
        /// For NCCL with <see cref="NcclFileVariable"/> set, that file alone, if it exists.
        /// </summary>
        public IReadOnlyList<string> Candidates(CudaLibrary library)
        {
            if (library == CudaLibrary.Nccl && NcclFile is { } chosen)
                return _fileExists(chosen) ? new[] { chosen } : Array.Empty<string>();
            var names = FileNames(library);
            var found = Folders(library).SelectMany(folder => names.Select(name => Path.Combine(folder, name))).Where(_fileExists);
            return found.Concat(names).ToArray();
        }

        /// <summary>The first folder holding cuda_fp16.h: the override, the CUDA homes, or the toolkit beside NVRTC.</summary>
        public string? IncludeFolder(string? nvrtcPath)
        {
            var folders = new List<string>(FoldersIn(IncludePathVariable));
            folders.AddRange(CudaHomes().Select(home => Path.Combine(home, "include")));
            if (nvrtcPath is not null && Path.GetDirectoryName(nvrtcPath) is { Length: > 0 } libFolder)
                folders.Add(Path.GetFullPath(Path.Combine(libFolder, "..", "include")));
            return folders.FirstOrDefault(f => _fileExists(Path.Combine(f, Fp16Header)));
        }

        /// <summary>The folders of a path-list variable (PATH's syntax).</summary>
        private IEnumerable<string> FoldersIn(string variable) =>
            (_environment(variable) ?? "").Split(Path.PathSeparator).Where(f => f.Length > 0);

        /// <summary>
        /// The site-packages and dist-packages folders of the Python installs this process can see, found without running
        /// Python: <c>$PYTHONPATH</c>, then <c>lib/python3*/</c> (and <c>lib64/</c>) under each prefix of <see cref="PythonPrefixes"/>.
        /// </summary>
        private IEnumerable<string> PythonPackageFolders()
        {
            foreach (var folder in FoldersIn("PYTHONPATH"))
                yield return folder;
            foreach (var prefix in PythonPrefixes().Distinct(StringComparer.Ordinal))
                foreach (var lib in new[] { "lib", "lib64" })
                    foreach (var python in SortedSubfolders(Path.Combine(prefix, lib)).Where(f => Path.GetFileName(f).StartsWith("python3", StringComparison.Ordinal)))
                        foreach (var packages in SortedSubfolders(python).Where(f => Path.GetFileName(f) is "site-packages" or "dist-packages"))
                            yield return packages;
        }

        /// <summary>
        /// Where Python installs live: the active virtual or conda environment, the parents of <c>$PATH</c>'s bin folders (the
        /// venv or interpreter that <c>python3</c> would run), pyenv's versions, the user's <c>~/.local</c>, then the system's.
        /// </summary>
        private IEnumerable<string> PythonPrefixes()
        {
            foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
                if (_environment(variable) is { Length: > 0 } environmentPrefix)
                    yield return environmentPrefix;
            foreach (var bin in FoldersIn("PATH").Select(f => f.TrimEnd('/')))
                if (Path.GetFileName(bin) == "bin" && Path.GetDirectoryName(bin) is { Length: > 1 } parent)
                    yield return parent;
            string? home = _environment("HOME") is { Length: > 0 } h ? h : null;
            string? pyenv = _environment("PYENV_ROOT") is { Length: > 0 } root ? root : home is null ? null : Path.Combine(home, ".pyenv");
            if (pyenv is not null)
                foreach (var version in SortedSubfolders(Path.Combine(pyenv, "versions")))
                    yield return version;
            if (home is not null)
                yield return Path.Combine(home, ".local");
            yield return "/usr/local";
            yield return "/usr";
            yield return "/opt/conda";
        }

        private IEnumerable<string> SortedSubfolders(string folder) => _subfolders(folder).OrderBy(f => f, StringComparer.Ordinal);

        /// <summary>The file system's answer for <see cref="ForThisProcess"/>: a folder that cannot be read has no subfolders.</summary>
        internal static IEnumerable<string> SubfoldersOnDisk(string folder)
        {
            try
            {
                return Directory.Exists(folder) ? Directory.GetDirectories(folder) : Array.Empty<string>();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }

        private IEnumerable<string> CudaHomes()
        {
            if (_environment(CudaHomeVariable) is { Length: > 0 } home)
                yield return home;
            yield return DefaultCudaHome;
        }
    }
}
