using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Sampling;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A checkpoint with NaN and infinity written into two tensors: the scan names both tensors and their first bad
/// element; without the scan, generation fails naming the step and the sequence and pointing at the scan.
/// </summary>
public class NonFiniteWeightsTests
{
    private const string Fc1 = "model.decoder.layers.1.fc1.weight", FinalNorm = "model.decoder.final_layer_norm.weight";

    [Fact]
    public void The_scan_names_each_tensor_and_its_first_non_finite_element()
    {
        using var copy = Poisoned();
        using var checkpoint = Checkpoint.Open(copy.Path);
        var error = Should.Throw<CheckpointException>(() => CheckpointWeights.CheckFinite(checkpoint, HuggingFaceConfig.Read(copy.File("config.json"))));
        error.Code.ShouldBe(ErrorCodes.InvalidWeights);
        error.Problems.OrderBy(p => p, StringComparer.Ordinal).ShouldBe(new[]
        {
            $"tensor '{FinalNorm}' [64] holds NaN at element 3 ([3]).",
            $"tensor '{Fc1}' [256, 64] holds +infinity at element 70 ([1, 6]).",
        });
    }

    [Fact]
    public void Every_fixture_passes_the_scan()
    {
        foreach (string fixture in Fixtures.Names)
        {
            using var checkpoint = Checkpoint.Open(Fixtures.Folder(fixture));
            CheckpointWeights.CheckFinite(checkpoint, HuggingFaceConfig.Read(Path.Combine(Fixtures.Folder(fixture), "config.json")));
        }
    }

    [Theory]
    [InlineData(0.0)] // greedy, picked by the device
    [InlineData(1.0)] // sampled on the host
    public void Without_the_scan_generation_names_the_step_and_sequence_and_suggests_it(double temperature)
    {
        using var copy = Poisoned();
        var spec = HuggingFaceConfig.Read(copy.File("config.json"));
        using var checkpoint = Checkpoint.Open(copy.Path);
        using var engine = new Engine(CheckpointWeights.Load(checkpoint, spec));
        var error = Should.Throw<InvalidLogitsException>(() => engine.Generate(new[] { new[] { 2, 10, 11 }, new[] { 2, 12, 13 } },
            new GenerationOptions { MaxNewTokens = 3, Sampling = new SamplingOptions { Temperature = temperature } }));
        (error.Step, error.Sequence).ShouldBe((0, 0));
        error.Message.ShouldStartWith($"{ErrorCodes.InvalidWeights}: the prefill (step 0), sequence 0: logit 0 is NaN.");
        error.Message.ShouldContain("--check-weights");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(1022)]
    public void Search_finds_the_first_nan_or_infinity_of_every_float_type(int bad)
    {
        var values = Enumerable.Range(0, 1023).Select(i => (float)Math.Sin(i) * 1000).ToArray();
        foreach (float poison in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var poisoned = (float[])values.Clone();
            poisoned[bad] = poison;
            poisoned[^1] = float.NaN; // a later one never wins
            var halves = poisoned.Select(v => (Half)v).ToArray();
            var bfloats = poisoned.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray();

            int expected = bad == poisoned.Length - 1 ? bad : Array.FindIndex(poisoned, v => !float.IsFinite(v));
            NonFiniteSearch.IndexOf(System.Runtime.InteropServices.MemoryMarshal.AsBytes(poisoned.AsSpan()), SafetensorsDType.F32).ShouldBe(expected);
            NonFiniteSearch.IndexOf(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()), SafetensorsDType.F16).ShouldBe(Array.FindIndex(halves, h => !Half.IsFinite(h)));
            NonFiniteSearch.IndexOf(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bfloats.AsSpan()), SafetensorsDType.BF16).ShouldBe(expected);
        }
        NonFiniteSearch.IndexOf(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), SafetensorsDType.F32).ShouldBe(-1);
    }

    /// <summary>opt-tiny with +infinity at element 70 of a layer's fc1 weight and a NaN at element 3 of the final norm's (which reaches every logit).</summary>
    private static TempFolder Poisoned()
    {
        var copy = Fixtures.Copy("opt-tiny");
        string path = copy.File(Checkpoint.SingleFileName);
        long fc1, norm;
        using (var file = SafetensorsFile.Open(path))
            (fc1, norm) = (file[Fc1].DataBegin, file[FinalNorm].DataBegin);
        var bytes = File.ReadAllBytes(path);
        long data = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)(data + fc1 + 70 * 2)), 0x7C00); // fp16 +infinity
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)(data + norm + 3 * 2)), 0x7E00); // fp16 NaN
        File.WriteAllBytes(path, bytes);
        return copy;
    }
}
