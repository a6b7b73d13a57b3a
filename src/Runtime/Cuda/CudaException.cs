using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A CUDA library call returned an error: which library and call, the code, its name and description.</summary>
    public sealed class CudaException : Exception
    {
        public CudaException(CudaLibrary library, int code, string name, string text, string call)
            : base($"{call} failed with {name} ({code}): {text}.")
        {
            Library = library;
            Code = code;
            ErrorName = name;
            ErrorText = text;
            Call = call;
        }

        public CudaLibrary Library { get; }
        public int Code { get; }
        public string ErrorName { get; }
        public string ErrorText { get; }
        /// <summary>The native function that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
        public string Call { get; }

        /// <summary>The one check path of every binding: a non-zero result becomes a <see cref="CudaException"/>.</summary>
        public static void ThrowIfFailed(CudaLibrary library, int code, string call)
        {
            if (code != 0)
                throw Create(library, code, call);
        }

        public static CudaException Create(CudaLibrary library, int code, string call)
        {
            var (name, text) = CudaErrorNames.Find(library, code) ?? Native.CuDriver.DescribeUnknown(library, code);
            return new CudaException(library, code, name, text, call);
        }
    }
}
