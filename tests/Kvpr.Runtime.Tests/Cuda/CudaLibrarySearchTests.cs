using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

public class CudaLibrarySearchTests
{
    private static CudaLibrarySearch Search(Dictionary<string, string> environment, params string[] existingFiles) =>
        new(name => environment.TryGetValue(name, out var value) ? value : null, existingFiles.Contains);

    [Fact]
    public void Folders_are_the_override_then_CUDA_HOME_then_the_default_toolkit_then_the_driver_folders()
    {
        var search = Search(new() { ["KVPR_CUDA_LIBRARY_PATH"] = $"/opt/a{Path.PathSeparator}/opt/b", ["CUDA_HOME"] = "/opt/cuda-13" });

        var folders = search.Folders();

        folders.Take(5).ShouldBe(new[] { "/opt/a", "/opt/b", "/opt/cuda-13/lib64", "/usr/local/cuda/lib64", "/usr/local/nvidia/lib64" });
        folders.ShouldContain("/usr/lib/x86_64-linux-gnu");
        folders.Distinct().Count().ShouldBe(folders.Count);
    }

    [Fact]
    public void Without_variables_the_default_toolkit_comes_first()
    {
        Search(new()).Folders().First().ShouldBe("/usr/local/cuda/lib64");
    }

    [Fact]
    public void Candidates_are_existing_files_in_folder_order_then_the_bare_names_for_the_system_loader()
    {
        var search = Search(new() { ["CUDA_HOME"] = "/opt/cuda" },
            "/usr/local/nvidia/lib64/libcuda.so.1", "/opt/cuda/lib64/libcublas.so.12", "/usr/local/cuda/lib64/libcublas.so.13");

        search.Candidates(CudaLibrary.Driver).ShouldBe(new[] { "/usr/local/nvidia/lib64/libcuda.so.1", "libcuda.so.1", "libcuda.so" });
        search.Candidates(CudaLibrary.Cublas).Take(2).ShouldBe(new[] { "/opt/cuda/lib64/libcublas.so.12", "/usr/local/cuda/lib64/libcublas.so.13" });
    }

    [Fact]
    public void Within_a_folder_the_newest_soname_is_tried_first()
    {
        var search = Search(new(), "/usr/local/cuda/lib64/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.13");

        search.Candidates(CudaLibrary.Nvrtc).First().ShouldBe("/usr/local/cuda/lib64/libnvrtc.so.13");
    }

    [Fact]
    public void The_include_folder_is_the_override_then_CUDA_HOME_then_the_default_then_beside_nvrtc()
    {
        var everywhere = Search(new() { ["KVPR_CUDA_INCLUDE_PATH"] = "/inc", ["CUDA_HOME"] = "/opt/cuda" },
            "/inc/cuda_fp16.h", "/opt/cuda/include/cuda_fp16.h", "/usr/local/cuda/include/cuda_fp16.h", "/pip/nvidia/include/cuda_fp16.h");
        everywhere.IncludeFolder("/pip/nvidia/lib/libnvrtc.so.13").ShouldBe("/inc");

        var besideNvrtc = Search(new(), "/pip/nvidia/include/cuda_fp16.h");
        besideNvrtc.IncludeFolder("/pip/nvidia/lib/libnvrtc.so.13").ShouldBe("/pip/nvidia/include");

        Search(new()).IncludeFolder("/pip/nvidia/lib/libnvrtc.so.13").ShouldBeNull();
    }

    [Fact]
    public void The_missing_driver_sentence_names_the_library_and_every_folder_searched()
    {
        var search = Search(new() { ["CUDA_HOME"] = "/opt/cuda" });

        string sentence = CudaLibraries.MissingSentence(CudaLibrary.Driver, search);

        sentence.ShouldStartWith("No CUDA driver was found");
        sentence.ShouldContain("libcuda.so.1");
        foreach (var folder in search.Folders())
            sentence.ShouldContain(folder);
        sentence.ShouldEndWith("so the CUDA device cannot be used on this machine.");
        sentence.ShouldNotContain(". ");
        sentence.ShouldNotContain("\n");
    }
}
