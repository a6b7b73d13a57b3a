using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

public class CudaErrorTests
{
    // Values from cuda.h, nvrtc.h, cublas_api.h and nccl.h.
    [Theory]
    [InlineData(CudaLibrary.Driver, 2, "CUDA_ERROR_OUT_OF_MEMORY")]
    [InlineData(CudaLibrary.Driver, 100, "CUDA_ERROR_NO_DEVICE")]
    [InlineData(CudaLibrary.Driver, 209, "CUDA_ERROR_NO_BINARY_FOR_GPU")]
    [InlineData(CudaLibrary.Driver, 500, "CUDA_ERROR_NOT_FOUND")]
    [InlineData(CudaLibrary.Driver, 700, "CUDA_ERROR_ILLEGAL_ADDRESS")]
    [InlineData(CudaLibrary.Nvrtc, 5, "NVRTC_ERROR_INVALID_OPTION")]
    [InlineData(CudaLibrary.Nvrtc, 6, "NVRTC_ERROR_COMPILATION")]
    [InlineData(CudaLibrary.Cublas, 7, "CUBLAS_STATUS_INVALID_VALUE")]
    [InlineData(CudaLibrary.Cublas, 15, "CUBLAS_STATUS_NOT_SUPPORTED")]
    [InlineData(CudaLibrary.Nccl, 1, "ncclUnhandledCudaError")]
    [InlineData(CudaLibrary.Nccl, 5, "ncclInvalidUsage")]
    [InlineData(CudaLibrary.Nccl, 7, "ncclInProgress")]
    public void Result_codes_map_to_their_header_names(CudaLibrary library, int code, string name)
    {
        CudaErrorNames.Find(library, code)!.Value.Name.ShouldBe(name);
    }

    [Fact]
    public void A_failure_names_the_call_the_error_and_its_description()
    {
        var error = Should.Throw<CudaException>(() => CudaException.ThrowIfFailed(CudaLibrary.Driver, 2, "cuMemAlloc_v2"));

        error.Call.ShouldBe("cuMemAlloc_v2");
        error.Code.ShouldBe(2);
        error.ErrorName.ShouldBe("CUDA_ERROR_OUT_OF_MEMORY");
        error.Message.ShouldBe("cuMemAlloc_v2 failed with CUDA_ERROR_OUT_OF_MEMORY (2): out of device memory.");
    }

    [Fact]
    public void Success_does_not_throw()
    {
        CudaException.ThrowIfFailed(CudaLibrary.Cublas, 0, "cublasGemmEx");
    }

    [Fact]
    public void A_code_no_table_knows_still_reports_the_library_code_and_call()
    {
        var error = Should.Throw<CudaException>(() => CudaException.ThrowIfFailed(CudaLibrary.Nvrtc, 77, "nvrtcCompileProgram"));

        error.ErrorName.ShouldBe("NVRTC_ERROR_77");
        error.Message.ShouldContain("nvrtcCompileProgram");
    }

    [WithoutCudaFact]
    public void Opening_the_device_without_a_driver_fails_with_one_sentence()
    {
        var error = Should.Throw<CudaUnavailableException>(() => CudaDevice.Open());

        error.Message.ShouldStartWith("No CUDA driver was found");
        error.Message.ShouldNotContain("\n");
    }
}
