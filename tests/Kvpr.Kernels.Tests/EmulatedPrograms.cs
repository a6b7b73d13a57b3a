using System;
using System.Collections.Concurrent;
using System.IO;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// Check programs of CudaEmulator/: a model's emitted kernels followed by a check file that launches them, compiled by
/// g++ once per (model, check) per test run into a folder deleted afterwards.
/// </summary>
public sealed class EmulatedPrograms : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"kvpr-emulated-{Guid.NewGuid():N}");
    private readonly ConcurrentDictionary<string, Lazy<string>> _programs = new();

    public string For(ModelSpec spec, string checkFile) =>
        _programs.GetOrAdd(spec.Name + "-" + Path.GetFileNameWithoutExtension(checkFile), name => new Lazy<string>(() => Compile(spec, checkFile, name))).Value;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private string Compile(ModelSpec spec, string checkFile, string name)
    {
        Directory.CreateDirectory(_folder);
        string source = Path.Combine(_folder, name + ".cu"), program = Path.Combine(_folder, name);
        File.WriteAllText(source, KernelEmitter.Emit(spec).Source);
        string emulator = Path.Combine(AppContext.BaseDirectory, "CudaEmulator");
        // The model's kernels come first (-include), then the check that launches them.
        var (exitCode, output) = Gxx.Run($"-std=c++17 -O1 -w -I \"{emulator}\" -include cuda_emulator.h -include \"{source}\" \"{Path.Combine(emulator, checkFile)}\" -o \"{program}\"");
        exitCode.ShouldBe(0, output);
        return program;
    }
}
