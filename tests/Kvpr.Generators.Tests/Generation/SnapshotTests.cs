using System.IO;
using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;

namespace Kvpr.Generators.Tests.Generation;

public class SnapshotTests
{
    [Theory]
    [InlineData("opt-tiny", ModelSources.OptTiny)]
    [InlineData("llama-tiny", ModelSources.LlamaTiny)]
    [InlineData("llama-tiny-gqa", ModelSources.LlamaTinyGqa)]
    [InlineData("qwen2-tiny", ModelSources.Qwen2Tiny)]
    [InlineData("llama3-tiny", ModelSources.Llama3Tiny)]
    [InlineData("mistral-tiny", ModelSources.MistralTiny)]
    [InlineData("opt-6.7b", ModelSources.Opt6_7B)]
    [InlineData("opt-6.7b-capped", ModelSources.Opt6_7BCapped)]
    public void Every_generated_file_matches_its_snapshot(string folder, string source)
    {
        var run = GeneratorRun.Run(source);
        run.Diagnostics.ShouldBeEmpty();
        Snapshot.MatchFolder(folder, run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()));
    }
}
