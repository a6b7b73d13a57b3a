using System;
using System.IO;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

public sealed class CubinCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kvpr-cubin-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void The_key_changes_with_source_architecture_options_and_compiler_but_not_otherwise()
    {
        var cache = new CubinCache(_folder);
        string path = cache.PathFor("src", "sm_90", new[] { "-std=c++17" }, "nvrtc-13.0");

        cache.PathFor("src", "sm_90", new[] { "-std=c++17" }, "nvrtc-13.0").ShouldBe(path);
        cache.PathFor("src2", "sm_90", new[] { "-std=c++17" }, "nvrtc-13.0").ShouldNotBe(path);
        cache.PathFor("src", "sm_80", new[] { "-std=c++17" }, "nvrtc-13.0").ShouldNotBe(path);
        cache.PathFor("src", "sm_90", new[] { "-std=c++20" }, "nvrtc-13.0").ShouldNotBe(path);
        cache.PathFor("src", "sm_90", new[] { "-std=c++17" }, "nvrtc-12.9").ShouldNotBe(path);
        Path.GetFileName(path).ShouldEndWith("-sm_90.cubin");
        Path.GetDirectoryName(path).ShouldBe(_folder);
    }

    [Fact]
    public void A_written_cubin_reads_back_and_leaves_no_temporary_file()
    {
        var cache = new CubinCache(_folder);
        string path = cache.PathFor("src", "sm_90", Array.Empty<string>(), "nvrtc-13.0");
        cache.TryRead(path).ShouldBeNull();

        cache.Write(path, new byte[] { 1, 2, 3 });

        cache.TryRead(path).ShouldBe(new byte[] { 1, 2, 3 });
        Directory.GetFiles(_folder).ShouldBe(new[] { path });
    }
}
