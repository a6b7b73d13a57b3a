using System;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

public class CplexLpNamesTests
{
    [Fact]
    public void Names_become_valid_and_distinct()
    {
        var names = CplexLpNames.MakeUnique(
            new[] { "x", "x", "", "kv cache[3]", "2nd", "free", "End", "e", "E12", "embed", ".5", "naïve", "a:b", "x_2" },
            "c", new[] { "taken" });

        names.ShouldBe(new[]
        {
            "x", "x_2", "c3", "kv_cache_3_", "_2nd", "_free", "_End", "_e", "_E12", "embed", "_.5", "na_ve", "a_b", "x_2_2",
        });
    }

    [Fact]
    public void Names_already_taken_are_avoided()
    {
        CplexLpNames.MakeUnique(new[] { "obj", "obj" }, "r", new[] { "obj" }).ShouldBe(new[] { "obj_2", "obj_3" });
    }

    [Fact]
    public void Long_names_are_cut_to_255_characters_and_stay_distinct()
    {
        string longName = new('n', 300);

        var names = CplexLpNames.MakeUnique(new[] { longName, longName }, "x", Array.Empty<string>());

        names[0].ShouldBe(new string('n', 255));
        names[1].ShouldBe(new string('n', 253) + "_2");
    }
}
