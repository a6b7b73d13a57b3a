using System;
using System.IO;
using Kvpr.Build;

namespace Kvpr.Generators.Tests.Build;

public sealed class ResolveHardwareProfileTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("kvpr-task-").FullName;
    private readonly RecordingBuildEngine _engine = new();

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private ResolveHardwareProfile Task(string? profile) => new() { BuildEngine = _engine, Profile = profile, ProjectDirectory = _project };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a100-pcie4")]
    public void Stored_profiles_need_no_file(string? profile)
    {
        var task = Task(profile);
        task.Execute().ShouldBeTrue();
        task.ProfilePath.ShouldBeEmpty();
        _engine.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void A_valid_file_is_resolved_against_the_project_directory()
    {
        File.WriteAllText(Path.Combine(_project, "mine.hwprofile.json"), HardwareProfiles.StoredText("t4-pcie3"));
        var task = Task("mine.hwprofile.json");
        task.Execute().ShouldBeTrue();
        task.ProfilePath.ShouldBe(Path.Combine(_project, "mine.hwprofile.json"));
    }

    [Fact]
    public void A_missing_file_fails_the_build_with_KVPR011_naming_where_it_looked()
    {
        Task("missing.hwprofile.json").Execute().ShouldBeFalse();
        var error = _engine.Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe("KVPR011");
        error.Message!.ShouldContain(Path.Combine(_project, "missing.hwprofile.json"));
    }

    [Fact]
    public void A_malformed_file_fails_the_build_with_KVPR007_naming_the_file_and_field()
    {
        string path = Path.Combine(_project, "bad.hwprofile.json");
        File.WriteAllText(path, HardwareProfiles.StoredText("t4-pcie3").Replace("\"gpuMemoryBytes\": ", "\"gpuMemoryBytes\": -"));
        Task("bad.hwprofile.json").Execute().ShouldBeFalse();
        var error = _engine.Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe("KVPR007");
        error.File.ShouldBe(path);
        error.Message!.ShouldContain("gpuMemoryBytes");
    }
}
