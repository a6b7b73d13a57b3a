using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// A CUDA library call returned an error: which library and call, the code, its name and description, and what the
    /// library said of the failure where it says more than the code (NCCL's last error).
    /// </summary>
    public sealed class CudaException : Exception
    {
        public CudaException(CudaLibrary library, int code, string name, string text, string call, string? detail = null)
            : base($"{call} failed with {name} ({code}): {text}{(string.IsNullOrEmpty(detail) ? "" : $"; {detail!.TrimEnd('.', '\n', ' ')}")}.")
        {
            Library = library;
            Code = code;
            ErrorName = name;
            ErrorText = text;
            Call = call;
            Detail = string.IsNullOrEmpty(detail) ? null : detail;
        }

        public CudaLibrary Library { get; }
        public int Code { get; }
        public string ErrorName { get; }
        public string ErrorText { get; }
        /// <summary>The native function that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
        public string Call { get; }
        /// <summary>What the library said of this failure beyond its code, e.g. which CUDA call or transport NCCL saw fail; null if nothing.</summary>
        public string? Detail { get; }

        /// <summary>The one check path of every binding: a non-zero result becomes a <see cref="CudaException"/>.</summary>
        public static void ThrowIfFailed(CudaLibrary library, int code, string call, string? detail = null)
        {
            if (code != 0)
                throw Create(library, code, call, detail);
        }

        public static CudaException Create(CudaLibrary library, int code, string call, string? detail = null)
        {
            var (name, text) = CudaErrorNames.Find(library, code) ?? Native.CuDriver.DescribeUnknown(library, code);
            return new CudaException(library, code, name, text, call, detail);
        }
    }
}
