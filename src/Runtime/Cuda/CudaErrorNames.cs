using System.Collections.Generic;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Names and short descriptions of the result codes of the driver API, NVRTC, cuBLAS and NCCL, as in cuda.h,
    /// nvrtc.h, cublas_api.h and nccl.h, so that a failure reads the same with or without a loaded library.
    /// </summary>
    public static class CudaErrorNames
    {
        private static readonly Dictionary<int, (string Name, string Text)> Driver = new()
        {
            [0] = ("CUDA_SUCCESS", "no error"),
            [1] = ("CUDA_ERROR_INVALID_VALUE", "an argument is out of range"),
            [2] = ("CUDA_ERROR_OUT_OF_MEMORY", "out of device memory"),
            [3] = ("CUDA_ERROR_NOT_INITIALIZED", "the driver has not been initialised with cuInit"),
            [4] = ("CUDA_ERROR_DEINITIALIZED", "the driver is shutting down"),
            [34] = ("CUDA_ERROR_STUB_LIBRARY", "the loaded libcuda is the toolkit's stub, not the driver"),
            [46] = ("CUDA_ERROR_DEVICE_UNAVAILABLE", "the device is busy or unavailable"),
            [100] = ("CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"),
            [101] = ("CUDA_ERROR_INVALID_DEVICE", "the device ordinal is not a valid CUDA device"),
            [200] = ("CUDA_ERROR_INVALID_IMAGE", "the kernel image is invalid"),
            [201] = ("CUDA_ERROR_INVALID_CONTEXT", "no valid context is current"),
            [209] = ("CUDA_ERROR_NO_BINARY_FOR_GPU", "the kernel image has no code for this GPU"),
            [218] = ("CUDA_ERROR_INVALID_PTX", "the PTX could not be compiled"),
            [222] = ("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the PTX was made by a newer toolkit than the driver supports"),
            [300] = ("CUDA_ERROR_INVALID_SOURCE", "the kernel source is invalid"),
            [301] = ("CUDA_ERROR_FILE_NOT_FOUND", "the file was not found"),
            [400] = ("CUDA_ERROR_INVALID_HANDLE", "a handle is invalid"),
            [500] = ("CUDA_ERROR_NOT_FOUND", "the named symbol was not found"),
            [600] = ("CUDA_ERROR_NOT_READY", "the asynchronous work has not completed yet"),
            [700] = ("CUDA_ERROR_ILLEGAL_ADDRESS", "a kernel accessed an illegal memory address"),
            [701] = ("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "the launch asked for more registers or shared memory than available"),
            [702] = ("CUDA_ERROR_LAUNCH_TIMEOUT", "a kernel ran past the watchdog's limit"),
            [719] = ("CUDA_ERROR_LAUNCH_FAILED", "a kernel failed while running"),
            [999] = ("CUDA_ERROR_UNKNOWN", "an unknown error occurred"),
        };

        private static readonly Dictionary<int, (string Name, string Text)> Nvrtc = new()
        {
            [0] = ("NVRTC_SUCCESS", "no error"),
            [1] = ("NVRTC_ERROR_OUT_OF_MEMORY", "out of host memory"),
            [2] = ("NVRTC_ERROR_PROGRAM_CREATION_FAILURE", "the program could not be created"),
            [3] = ("NVRTC_ERROR_INVALID_INPUT", "an argument is invalid"),
            [4] = ("NVRTC_ERROR_INVALID_PROGRAM", "the program handle is invalid"),
            [5] = ("NVRTC_ERROR_INVALID_OPTION", "a compile option is invalid"),
            [6] = ("NVRTC_ERROR_COMPILATION", "the source did not compile"),
            [7] = ("NVRTC_ERROR_BUILTIN_OPERATION_FAILURE", "a built-in operation failed"),
            [8] = ("NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION", "name expressions must be added before compiling"),
            [9] = ("NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION", "lowered names exist only after compiling"),
            [10] = ("NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID", "the name expression is invalid"),
            [11] = ("NVRTC_ERROR_INTERNAL_ERROR", "NVRTC failed internally"),
            [12] = ("NVRTC_ERROR_TIME_FILE_WRITE_FAILED", "the timing file could not be written"),
        };

        private static readonly Dictionary<int, (string Name, string Text)> Cublas = new()
        {
            [0] = ("CUBLAS_STATUS_SUCCESS", "no error"),
            [1] = ("CUBLAS_STATUS_NOT_INITIALIZED", "cuBLAS was not initialised (no handle, or no usable device)"),
            [3] = ("CUBLAS_STATUS_ALLOC_FAILED", "cuBLAS could not allocate memory"),
            [7] = ("CUBLAS_STATUS_INVALID_VALUE", "an argument is out of range"),
            [8] = ("CUBLAS_STATUS_ARCH_MISMATCH", "the device lacks a feature the call needs"),
            [11] = ("CUBLAS_STATUS_MAPPING_ERROR", "a GPU memory access failed"),
            [13] = ("CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to run"),
            [14] = ("CUBLAS_STATUS_INTERNAL_ERROR", "cuBLAS failed internally"),
            [15] = ("CUBLAS_STATUS_NOT_SUPPORTED", "this combination of types or options is not supported"),
            [16] = ("CUBLAS_STATUS_LICENSE_ERROR", "the license check failed"),
        };

        private static readonly Dictionary<int, (string Name, string Text)> Nccl = new()
        {
            [0] = ("ncclSuccess", "no error"),
            [1] = ("ncclUnhandledCudaError", "a CUDA call inside NCCL failed"),
            [2] = ("ncclSystemError", "a system call inside NCCL failed (sockets, shared memory, threads)"),
            [3] = ("ncclInternalError", "NCCL failed internally"),
            [4] = ("ncclInvalidArgument", "an argument is invalid"),
            [5] = ("ncclInvalidUsage", "the call is not valid here (e.g. a communicator used on another device)"),
            [6] = ("ncclRemoteError", "another rank exited or the network failed"),
            [7] = ("ncclInProgress", "the operation has not completed yet"),
        };

        /// <summary>The code's name and description, or null where the table does not know it.</summary>
        public static (string Name, string Text)? Find(CudaLibrary library, int code)
        {
            var table = library switch { CudaLibrary.Driver => Driver, CudaLibrary.Nvrtc => Nvrtc, CudaLibrary.Cublas => Cublas, _ => Nccl };
            return table.TryGetValue(code, out var entry) ? entry : null;
        }
    }
}
