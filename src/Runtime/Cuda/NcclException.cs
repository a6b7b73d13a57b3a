using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>An NCCL call returned an error: the call, the code, its name, NCCL's description and NCCL's last error message.</summary>
    public sealed class NcclException : Exception
    {
        public NcclException(string call, int code, string errorText, string lastError)
            : base(Describe(call, code, errorText, lastError))
        {
            Call = call;
            Code = code;
            ErrorName = NameOf(code);
            ErrorText = errorText;
            LastError = lastError;
        }

        /// <summary>The NCCL function that failed, e.g. <c>ncclCommInitAll</c>.</summary>
        public string Call { get; }
        public int Code { get; }
        /// <summary>The ncclResult_t's name, e.g. <c>ncclUnhandledCudaError</c>.</summary>
        public string ErrorName { get; }
        /// <summary>What <c>ncclGetErrorString</c> says of the code.</summary>
        public string ErrorText { get; }
        /// <summary>What <c>ncclGetLastError</c> says (may be empty): the detail, e.g. the CUDA call or transport that failed.</summary>
        public string LastError { get; }

        private static string NameOf(int code) => CudaErrorNames.Find(CudaLibrary.Nccl, code)?.Name ?? $"NCCL_ERROR_{code}";

        private static string Describe(string call, int code, string errorText, string lastError)
        {
            string text = errorText.Length > 0 ? errorText : CudaErrorNames.Find(CudaLibrary.Nccl, code)?.Text ?? "a code this toolkit does not know";
            string detail = lastError.Length > 0 ? $"; NCCL's last error: {lastError.TrimEnd('.', '\n', ' ')}" : "";
            return $"{call} failed with {NameOf(code)} ({code}): {text}{detail}.";
        }
    }
}
