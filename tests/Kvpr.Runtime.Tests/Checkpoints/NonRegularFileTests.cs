using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Kvpr.Checkpoints;
using Kvpr.Json;

namespace Kvpr.Runtime.Tests.Checkpoints;

/// <summary>
/// Files that would block or never end if opened and read (a FIFO, a device), directories and oversized files, where
/// JSON or a safetensors file is expected: each refused at once, naming the file. Every read runs under a timeout,
/// so a regression fails the test instead of hanging the run.
/// </summary>
public class NonRegularFileTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_config_json_that_is_a_fifo_is_refused_without_blocking()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        string config = copy.File("config.json");
        File.Delete(config);
        MakeFifo(config);

        var error = Should.Throw<CheckpointException>(() => WithoutHanging(config, () => HuggingFaceConfig.Read(config)));
        error.Message.ShouldBe($"KVPR014: {config}: the file is empty or not a regular file (a FIFO, a device or a socket); JSON is read from regular files only.");
    }

    [Fact]
    public void Generation_config_index_and_profile_fifos_are_refused_without_blocking()
    {
        using var copy = Fixtures.Copy("llama-tiny");
        string generation = copy.File(GenerationConfig.FileName), index = copy.File(Checkpoint.IndexFileName), profile = copy.File("fifo.hwprofile.json");
        File.Delete(generation);
        foreach (string fifo in new[] { generation, index, profile })
            MakeFifo(fifo);

        Should.Throw<CheckpointException>(() => WithoutHanging(generation, () => GenerationConfig.ReadEosTokenIds(copy.Path))).Message.ShouldContain("not a regular file");
        Should.Throw<CheckpointException>(() => WithoutHanging(index, () => Checkpoint.Open(copy.Path))).Message.ShouldContain("not a regular file");
        Should.Throw<JsonFormatException>(() => WithoutHanging(profile, () => HardwareProfiles.Resolve(profile))).Message.ShouldContain("not a regular file");
    }

    [Fact]
    public void A_safetensors_file_that_is_a_fifo_is_refused_without_blocking()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        string weights = copy.File(Checkpoint.SingleFileName);
        File.Delete(weights);
        MakeFifo(weights);
        Should.Throw<CheckpointException>(() => WithoutHanging(weights, () => Checkpoint.Open(copy.Path))).Message.ShouldContain("not a regular file");
    }

    [Fact]
    public void A_device_a_directory_and_an_oversized_file_are_refused_by_name()
    {
        using var folder = new TempFolder();
        string device = folder.File("device.json");
        File.CreateSymbolicLink(device, "/dev/zero");
        Should.Throw<JsonFormatException>(() => WithoutHanging(device, () => JsonFile.ReadText(device))).Message.ShouldContain("not a regular file");

        string directory = folder.File("directory.json");
        Directory.CreateDirectory(directory);
        Should.Throw<JsonFormatException>(() => JsonFile.ReadText(directory)).Message.ShouldBe($"{directory}: the path is a directory, not a JSON file.");

        string large = folder.File("large.json");
        using (var stream = File.Create(large))
            stream.SetLength(JsonFile.MaxBytes + 1);
        Should.Throw<JsonFormatException>(() => JsonFile.ReadText(large)).Message
            .ShouldBe($"{large}: the file has 67,108,865 bytes, more than the 67,108,864 a JSON file may have.");
    }

    /// <summary>Runs <paramref name="read"/>; past the timeout, opens the FIFO's write end to release a blocked reader and fails.</summary>
    private static T WithoutHanging<T>(string path, Func<T> read)
    {
        var task = Task.Run(read);
        if (Task.WhenAny(task, Task.Delay(Timeout)).GetAwaiter().GetResult() != task)
        {
            using (new FileStream(path, FileMode.Open, FileAccess.Write)) { }
            throw new TimeoutException($"Reading {path} blocked for {Timeout.TotalSeconds} s.");
        }
        return task.GetAwaiter().GetResult();
    }

    private static void WithoutHanging(string path, Action read) => WithoutHanging(path, () => { read(); return 0; });

    private static void MakeFifo(string path)
    {
        if (mkfifo(path, Convert.ToUInt32("600", 8)) != 0)
            throw new IOException($"mkfifo {path} failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
}
