using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Compiles CUDA C to a cubin for one architecture with NVRTC, with cuda_fp16.h on the include path,
    /// through an optional <see cref="CubinCache"/>.
    /// </summary>
    public sealed unsafe class NvrtcCompiler
    {
        private readonly CubinCache? _cache;
        private readonly string[] _baseOptions;

        /// <param name="architecture">A real architecture such as <c>sm_90</c> (<see cref="CudaDevice.Architecture"/>).</param>
        /// <exception cref="CudaUnavailableException">NVRTC is not installed.</exception>
        /// <exception cref="NotSupportedException">This NVRTC cannot generate code for the architecture.</exception>
        public NvrtcCompiler(string architecture, CubinCache? cache = null)
        {
            Architecture = architecture;
            _cache = cache;
            NvrtcPath = CudaLibraries.PathOf(CudaLibrary.Nvrtc);
            Nvrtc.Check(Nvrtc.nvrtcVersion(out int major, out int minor), nameof(Nvrtc.nvrtcVersion));
            Version = new Version(major, minor);
            var supported = SupportedArchitectures();
            if (!supported.Contains(architecture))
                throw new NotSupportedException($"NVRTC {Version} ({NvrtcPath}) cannot compile for {architecture}; it supports {string.Join(", ", supported)}.");
            IncludeFolder = CudaLibrarySearch.ForThisProcess.IncludeFolder(NvrtcPath);
            var options = new List<string> { $"--gpu-architecture={architecture}" };
            if (IncludeFolder is not null)
                options.Add($"--include-path={IncludeFolder}");
            _baseOptions = options.ToArray();
        }

        public string Architecture { get; }
        public Version Version { get; }
        public string NvrtcPath { get; }
        /// <summary>Where cuda_fp16.h was found, or null (then only NVRTC's built-in headers are available).</summary>
        public string? IncludeFolder { get; }

        /// <summary>The cubin for <paramref name="source"/>, from the cache when it holds one.</summary>
        /// <param name="programName">Names the program in NVRTC's log and in errors (e.g. the kernel set's model).</param>
        /// <param name="options">Options the source is written for (e.g. <c>-std=c++17</c>), after the architecture and include path.</param>
        /// <exception cref="KernelCompileException">The source or an option is rejected; carries NVRTC's log.</exception>
        public byte[] Compile(string source, string programName, IReadOnlyList<string>? options = null)
        {
            var allOptions = _baseOptions.Concat(options ?? Array.Empty<string>()).ToArray();
            string? cachePath = _cache?.PathFor(source, Architecture, allOptions, $"nvrtc-{Version}");
            if (cachePath is not null && _cache!.TryRead(cachePath) is { } cached)
                return cached;
            byte[] cubin = CompileUncached(source, programName, allOptions);
            if (cachePath is not null)
                TryStore(cachePath, cubin);
            return cubin;
        }

        private byte[] CompileUncached(string source, string programName, string[] options)
        {
            Nvrtc.Check(Nvrtc.nvrtcCreateProgram(out var program, source, programName, 0, null, null), nameof(Nvrtc.nvrtcCreateProgram));
            var optionPointers = options.Select(o => Marshal.StringToCoTaskMemUTF8(o)).ToArray();
            try
            {
                int result;
                fixed (IntPtr* pointers = optionPointers)
                    result = Nvrtc.nvrtcCompileProgram(program, optionPointers.Length, pointers);
                // NVRTC's log says which line or which option it rejected.
                if (result is CompilationError or InvalidOption)
                    throw new KernelCompileException(programName, Architecture, Log(program));
                Nvrtc.Check(result, $"{nameof(Nvrtc.nvrtcCompileProgram)}({programName})");
                Nvrtc.Check(Nvrtc.nvrtcGetCUBINSize(program, out var size), nameof(Nvrtc.nvrtcGetCUBINSize));
                var cubin = new byte[(int)size];
                fixed (byte* destination = cubin)
                    Nvrtc.Check(Nvrtc.nvrtcGetCUBIN(program, destination), nameof(Nvrtc.nvrtcGetCUBIN));
                return cubin;
            }
            finally
            {
                foreach (var pointer in optionPointers)
                    Marshal.FreeCoTaskMem(pointer);
                Nvrtc.nvrtcDestroyProgram(ref program);
            }
        }

        private const int InvalidOption = 5, CompilationError = 6;

        private static string Log(IntPtr program)
        {
            Nvrtc.Check(Nvrtc.nvrtcGetProgramLogSize(program, out var size), nameof(Nvrtc.nvrtcGetProgramLogSize));
            var log = new byte[(int)size];
            fixed (byte* destination = log)
                Nvrtc.Check(Nvrtc.nvrtcGetProgramLog(program, destination), nameof(Nvrtc.nvrtcGetProgramLog));
            return Encoding.UTF8.GetString(log).TrimEnd('\0');
        }

        private IReadOnlyList<string> SupportedArchitectures()
        {
            Nvrtc.Check(Nvrtc.nvrtcGetNumSupportedArchs(out int count), nameof(Nvrtc.nvrtcGetNumSupportedArchs));
            var architectures = new int[count];
            fixed (int* destination = architectures)
                Nvrtc.Check(Nvrtc.nvrtcGetSupportedArchs(destination), nameof(Nvrtc.nvrtcGetSupportedArchs));
            return architectures.Select(a => $"sm_{a}").ToArray();
        }

        /// <summary>The cache only saves time: a folder that cannot be written leaves compiling to every run.</summary>
        private void TryStore(string path, byte[] cubin)
        {
            try
            {
                _cache!.Write(path, cubin);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"warning: could not cache the cubin in {_cache!.Folder}: {e.Message}");
            }
        }
    }
}
