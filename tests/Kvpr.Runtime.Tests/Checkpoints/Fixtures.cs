using System;
using System.IO;

namespace Kvpr.Runtime.Tests.Checkpoints;

/// <summary>The reference checkpoints in tests/fixtures and scratch folders to corrupt copies of them in.</summary>
internal static class Fixtures
{
    /// <summary>Every checkpoint with Hugging Face references (tests/fixtures/README.md): the one list the fixture tests run over.</summary>
    public static readonly string[] Names = { "opt-tiny", "llama-tiny", "llama-tiny-gqa", "llama3-tiny", "llama-linear-tiny", "mistral-tiny", "qwen2-tiny" };

    /// <summary><see cref="Names"/> as theory data.</summary>
    public static TheoryData<string> Cases() => new(Names);

    public static string Folder(string fixture) => Path.Combine(Root, fixture);

    public static string Root { get; } = FindRoot();

    /// <summary>A copy of a fixture's files in a fresh temporary folder named like the fixture.</summary>
    public static TempFolder Copy(string fixture)
    {
        var temp = new TempFolder(fixture);
        foreach (string file in Directory.GetFiles(Folder(fixture)))
            File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        return temp;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("tests/fixtures not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder (its last path component named as asked) deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("kvpr-").FullName;

    public TempFolder(string name = "checkpoint")
    {
        Path = System.IO.Path.Combine(_parent, name);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(_parent, recursive: true);
}
