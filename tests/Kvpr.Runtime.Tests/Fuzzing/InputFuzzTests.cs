using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Kvpr.Checkpoints;
using Kvpr.Json;
using Kvpr.Planning;
using Kvpr.Runtime.Tests.Checkpoints;
using Xunit.Abstractions;

namespace Kvpr.Runtime.Tests.Fuzzing;

/// <summary>
/// Seeded fuzzing of every JSON Kvpr reads from users: hardware profiles, config.json and safetensors headers, a few
/// thousand mutated documents in a bounded time. Each must end in a valid result or in the reader's own exception
/// (<see cref="JsonFormatException"/>, <see cref="CheckpointException"/>), and a valid result must plan without one:
/// any other exception is a crash, and the case that caused it is printed.
/// </summary>
public class InputFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 14;
    private const int Cases = 1500;

    /// <summary>Cases every run covers even on a loaded machine (the mutations are seeded, so always the same first ones).</summary>
    private const int MinimumCases = 100;
    /// <summary>Each corpus stops at <see cref="Cases"/> or after this long, whichever comes first.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    private static readonly DecodeWorkload Workload = new() { Batch = 2, PromptLength = 16, MaxNewTokens = 8 };

    [Fact]
    public void Mutated_hardware_profiles_end_in_a_profile_or_a_JsonFormatException()
    {
        string original = HardwareProfiles.StoredText(HardwareProfiles.DefaultName);
        var spec = ModelCatalog.Get("opt-125m");
        Fuzz("hardware profiles", original, Seed, (bytes, folder) =>
        {
            string path = Path.Combine(folder, "mutated.hwprofile.json");
            File.WriteAllBytes(path, bytes);
            try
            {
                var profile = HardwareProfiles.Resolve(path);
                DecodePlanner.Plan(spec, profile, Workload);
                return true;
            }
            catch (JsonFormatException)
            {
                return false;
            }
        });
    }

    [Theory]
    [InlineData("opt-tiny")]
    [InlineData("llama-tiny-gqa")]
    public void Mutated_configs_end_in_a_spec_or_a_CheckpointException(string fixture)
    {
        string original = File.ReadAllText(Path.Combine(Fixtures.Folder(fixture), HuggingFaceConfig.FileName));
        Fuzz($"{fixture} config.json", original, Seed + fixture.Length, (bytes, folder) =>
        {
            string path = Path.Combine(folder, HuggingFaceConfig.FileName);
            File.WriteAllBytes(path, bytes);
            try
            {
                var spec = HuggingFaceConfig.Read(path);
                WeightMap.For(spec);
                var workload = Workload with { PromptLength = Math.Min(Workload.PromptLength, spec.MaxPositions / 2), MaxNewTokens = 1 };
                DecodePlanner.Plan(spec, HardwareProfiles.Default, workload);
                GenerationConfig.ReadEosTokenIds(folder);
                return true;
            }
            catch (CheckpointException)
            {
                return false;
            }
        });
    }

    [Fact]
    public void Mutated_safetensors_headers_end_in_a_file_or_a_CheckpointException()
    {
        using var temp = new TempFolder();
        string source = temp.File("source.safetensors");
        SafetensorsTestFiles.Write(source, new[]
        {
            new SafetensorsTestFiles.Tensor("model.layers.0.weight", "F16", new long[] { 4, 8 }, new byte[64]),
            new SafetensorsTestFiles.Tensor("model.layers.0.bias", "BF16", new long[] { 8 }, new byte[16]),
            new SafetensorsTestFiles.Tensor("lm_head.weight", "F32", new long[] { 2, 3 }, new byte[24]),
            new SafetensorsTestFiles.Tensor("empty", "F32", new long[] { 0, 5 }, Array.Empty<byte>()),
        });
        var file = File.ReadAllBytes(source);
        int headerLength = (int)BitConverter.ToUInt64(file, 0);
        string header = Encoding.UTF8.GetString(file, 8, headerLength);
        var data = file[(8 + headerLength)..];
        var random = new Random(Seed);
        Fuzz("safetensors headers", header, Seed + 1, (bytes, folder) =>
        {
            string path = Path.Combine(folder, "model.safetensors");
            using (var stream = File.Create(path))
            {
                // Mostly the true length of the mutated header; sometimes a length that lies, or a file cut short.
                ulong length = random.Next(10) switch
                {
                    0 => (ulong)random.NextInt64(),
                    1 => (ulong)bytes.Length + (ulong)random.Next(-8, 9),
                    _ => (ulong)bytes.Length,
                };
                stream.Write(BitConverter.GetBytes(length));
                stream.Write(bytes);
                stream.Write(random.Next(10) == 0 ? data[..random.Next(data.Length)] : data);
            }
            try
            {
                using var opened = SafetensorsFile.Open(path);
                foreach (var tensor in opened.Tensors.Values.Where(t => t.DType.IsConvertibleToSingle()))
                    tensor.IndexOfNonFinite();
                return true;
            }
            catch (CheckpointException)
            {
                return false;
            }
        });
    }

    /// <summary>Mutates <paramref name="original"/> until <see cref="Cases"/> or the budget; <paramref name="read"/> says whether a case was valid.</summary>
    private void Fuzz(string corpus, string original, int seed, Func<byte[], string, bool> read)
    {
        using var temp = new TempFolder();
        var mutator = new JsonMutator(seed);
        var watch = Stopwatch.StartNew();
        int cases = 0, valid = 0;
        for (; cases < Cases && watch.Elapsed < Budget; cases++)
        {
            var (bytes, description) = mutator.Mutate(original);
            try
            {
                if (read(bytes, temp.Path))
                    valid++;
            }
            catch (Exception e)
            {
                string text = Encoding.UTF8.GetString(bytes);
                throw new Xunit.Sdk.XunitException($"{corpus}, case {cases} (seed {seed}): {description}: {e.GetType().Name}: {e.Message}\n" +
                    $"{text.Substring(0, Math.Min(text.Length, 2000))}\n{e}");
            }
        }
        output.WriteLine($"{corpus}: {cases} mutated documents in {watch.Elapsed.TotalSeconds:F1} s, {valid} valid, {cases - valid} refused");
        cases.ShouldBeGreaterThanOrEqualTo(MinimumCases);
    }
}
