using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

public class CudaLibrarySearchTests
{
    /// <summary>A search over a fake file system: the files given, and every folder above them.</summary>
    private static CudaLibrarySearch Search(Dictionary<string, string> environment, params string[] existingFiles)
    {
        var folders = existingFiles.SelectMany(Ancestors).Distinct().ToArray();
        return new(name => environment.TryGetValue(name, out var value) ? value : null, existingFiles.Contains,
            folder => folders.Where(f => Path.GetDirectoryName(f) == folder));
    }

    private static IEnumerable<string> Ancestors(string file)
    {
        for (var folder = Path.GetDirectoryName(file); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
            yield return folder;
    }

    [Fact]
    public void Folders_are_the_override_then_CUDA_HOME_then_the_default_toolkit_then_the_driver_folders()
    {
        var search = Search(new() { ["KVPR_CUDA_LIBRARY_PATH"] = $"/opt/a{Path.PathSeparator}/opt/b", ["CUDA_HOME"] = "/opt/cuda-13" });

        var folders = search.Folders(CudaLibrary.Driver);

        folders.Take(5).ShouldBe(new[] { "/opt/a", "/opt/b", "/opt/cuda-13/lib64", "/usr/local/cuda/lib64", "/usr/local/nvidia/lib64" });
        folders.ShouldContain("/usr/lib/x86_64-linux-gnu");
        folders.Distinct().Count().ShouldBe(folders.Count);
    }

    [Fact]
    public void Without_variables_the_default_toolkit_comes_first()
    {
        Search(new()).Folders(CudaLibrary.Cublas).First().ShouldBe("/usr/local/cuda/lib64");
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
        foreach (var folder in search.Folders(CudaLibrary.Driver))
            sentence.ShouldContain(folder);
        sentence.ShouldEndWith("so the CUDA device cannot be used on this machine.");
        sentence.ShouldNotContain(". ");
        sentence.ShouldNotContain("\n");
    }

    [Fact]
    public void Nccl_is_looked_for_in_the_cuda_folders_then_LD_LIBRARY_PATH_then_the_python_package_folders()
    {
        var search = Search(new() { ["LD_LIBRARY_PATH"] = "/opt/lib", ["PATH"] = "/opt/venv/bin:/usr/bin", ["HOME"] = "/home/me" },
            "/opt/venv/lib/python3.12/site-packages/torch/__init__.py",
            "/home/me/.local/lib/python3.11/site-packages/numpy/__init__.py",
            "/usr/lib/python3/dist-packages/apt/__init__.py");

        var folders = search.Folders(CudaLibrary.Nccl);

        folders.Take(search.Folders(CudaLibrary.Driver).Count).ShouldBe(search.Folders(CudaLibrary.Driver));
        folders.Skip(search.Folders(CudaLibrary.Driver).Count).ShouldBe(new[]
        {
            "/opt/lib",
            "/opt/venv/lib/python3.12/site-packages/nvidia/nccl/lib",
            "/usr/lib/python3/dist-packages/nvidia/nccl/lib",
            "/home/me/.local/lib/python3.11/site-packages/nvidia/nccl/lib",
        });
    }

    [Theory]
    [InlineData("/usr/local/lib/python3.12/dist-packages")]
    [InlineData("/usr/lib/python3.10/site-packages")]
    [InlineData("/usr/lib64/python3.9/site-packages")]
    [InlineData("/home/me/.local/lib/python3.13/site-packages")]
    [InlineData("/home/me/.pyenv/versions/3.12.4/lib/python3.12/site-packages")]
    [InlineData("/srv/env/lib/python3.11/site-packages")]
    [InlineData("/opt/conda/lib/python3.10/site-packages")]
    [InlineData("/work/extra")]
    public void Nccls_python_package_is_found_wherever_python_keeps_its_packages(string packages)
    {
        string library = $"{packages}/nvidia/nccl/lib/libnccl.so.2";
        var search = Search(new() { ["HOME"] = "/home/me", ["VIRTUAL_ENV"] = "/srv/env", ["PYTHONPATH"] = "/work/extra" }, library);

        search.Candidates(CudaLibrary.Nccl).ShouldBe(new[] { library, "libnccl.so.2", "libnccl.so" });
    }

    [Fact]
    public void A_toolkit_or_system_nccl_comes_before_a_python_package()
    {
        var search = Search(new() { ["HOME"] = "/home/me" },
            "/home/me/.local/lib/python3.12/site-packages/nvidia/nccl/lib/libnccl.so.2", "/usr/lib/x86_64-linux-gnu/libnccl.so.2");

        search.Candidates(CudaLibrary.Nccl).First().ShouldBe("/usr/lib/x86_64-linux-gnu/libnccl.so.2");
    }

    [Fact]
    public void Only_nccl_searches_the_python_packages()
    {
        var search = Search(new(), "/usr/local/lib/python3.12/dist-packages/nvidia/nccl/lib/libnccl.so.2");

        search.Folders(CudaLibrary.Cublas).ShouldNotContain(f => f.Contains("python"));
    }

    [Fact]
    public void KVPR_NCCL_PATH_is_the_only_candidate_and_must_exist()
    {
        var chosen = Search(new() { ["KVPR_NCCL_PATH"] = "/opt/nccl/libnccl.so.2.27.7" },
            "/opt/nccl/libnccl.so.2.27.7", "/usr/local/cuda/lib64/libnccl.so.2");
        chosen.Candidates(CudaLibrary.Nccl).ShouldBe(new[] { "/opt/nccl/libnccl.so.2.27.7" });

        var missing = Search(new() { ["KVPR_NCCL_PATH"] = "/opt/nccl/libnccl.so.2" }, "/usr/local/cuda/lib64/libnccl.so.2");
        missing.Candidates(CudaLibrary.Nccl).ShouldBeEmpty();
        string sentence = CudaLibraries.MissingSentence(CudaLibrary.Nccl, missing);
        sentence.ShouldStartWith("NCCL could not be loaded from KVPR_NCCL_PATH=/opt/nccl/libnccl.so.2");
        sentence.ShouldNotContain(". ");
    }

    [Fact]
    public void The_missing_nccl_sentence_names_every_folder_searched_and_how_to_point_at_nccl()
    {
        var search = Search(new() { ["LD_LIBRARY_PATH"] = "/opt/lib", ["HOME"] = "/home/me" },
            "/home/me/.local/lib/python3.12/site-packages/numpy/__init__.py");

        string sentence = CudaLibraries.MissingSentence(CudaLibrary.Nccl, search);

        sentence.ShouldStartWith("NCCL was not found (libnccl.so.2 or libnccl.so is not in");
        foreach (var folder in search.Folders(CudaLibrary.Nccl))
            sentence.ShouldContain(folder);
        sentence.ShouldContain("/home/me/.local/lib/python3.12/site-packages/nvidia/nccl/lib");
        sentence.ShouldContain("KVPR_NCCL_PATH");
        sentence.ShouldEndWith(".");
        sentence.ShouldNotContain(". ");
        sentence.ShouldNotContain("\n");
    }

    [Fact]
    public void On_disk_the_python_packages_are_found_by_listing_folders()
    {
        string root = Directory.CreateTempSubdirectory("kvpr-nccl-search-").FullName;
        try
        {
            string venvLibrary = Touch(root, "venv/lib/python3.12/site-packages/nvidia/nccl/lib/libnccl.so.2");
            string userLibrary = Touch(root, "home/.local/lib/python3.11/site-packages/nvidia/nccl/lib/libnccl.so.2");
            Touch(root, "home/.local/lib/python3.11/site-packages/other/lib/libnccl.so.2");
            var environment = new Dictionary<string, string> { ["PATH"] = Path.Combine(root, "venv", "bin"), ["HOME"] = Path.Combine(root, "home") };
            var search = new CudaLibrarySearch(name => environment.GetValueOrDefault(name), File.Exists, CudaLibrarySearch.SubfoldersOnDisk);

            search.Candidates(CudaLibrary.Nccl).Where(c => c.StartsWith(root)).ShouldBe(new[] { venvLibrary, userLibrary });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_folder_that_is_not_there_has_no_subfolders()
    {
        CudaLibrarySearch.SubfoldersOnDisk("/no/such/folder").ShouldBeEmpty();
    }

    private static string Touch(string root, string relative)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Array.Empty<byte>());
        return path;
    }
}
