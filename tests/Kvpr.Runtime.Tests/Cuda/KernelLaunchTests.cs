using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Kernels;
using Kvpr.Kernels.Launchers;
using Kvpr.Runtime.Cuda;
using Kvpr.Runtime.Cuda.Launchers;
using Kvpr.Runtime.Tests.Checkpoints;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>The typed launchers (KernelLaunches.g.cs) against the CUDA signatures the emitter writes for every model.</summary>
public class KernelLaunchTests
{
    public static IEnumerable<object[]> Models() =>
        ModelCatalog.Names.Select(n => new object[] { n }).Concat(KernelLauncher.Variants.Select(v => new object[] { v.Name }));

    private static ModelSpec Spec(string name) => KernelLauncher.Variants.FirstOrDefault(v => v.Name == name) ?? ModelCatalog.Get(name);

    [Fact]
    public void The_committed_launchers_are_the_ones_the_kernel_signatures_give()
    {
        string path = Path.Combine(Fixtures.Root, "..", "..", LauncherEmitter.RuntimePath);
        string emitted = LauncherEmitter.Emit(KernelLauncher.ForAllModels());
        if (Environment.GetEnvironmentVariable("KVPR_UPDATE_SNAPSHOTS") == "1")
            File.WriteAllText(path, emitted);
        File.ReadAllText(path).ReplaceLineEndings("\n").ShouldBe(emitted, $"{LauncherEmitter.RuntimePath} is out of date; regenerate it with KVPR_UPDATE_SNAPSHOTS=1.");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_kernel_of_every_model_has_a_launcher_that_passes_its_parameters_in_its_order(string model)
    {
        foreach (var signature in KernelEmitter.Emit(Spec(model)).Kernels)
        {
            var launcher = KernelLaunches.All[signature.Name];
            ulong expected = LaunchBinding.Expected(signature);
            launcher.Where((_, i) => (expected & (1UL << i)) != 0).Select(p => (p.CType, p.Name))
                .ShouldBe(signature.Parameters.Select(p => (p.CType, p.Name)), $"{model}: {signature.Name}");
        }
    }

    [Fact]
    public void A_launcher_writes_its_arguments_in_the_order_of_the_cuda_declaration()
    {
        // OPT's embed is declared (token_ids, token_table, position_table, hidden, row_tokens, first_position).
        var opt = KernelEmitter.Emit(ModelCatalog.Get("opt-125m"))[KernelNames.Embed];
        var launch = new EmbedLaunch(Hidden: 4, TokenTable: 2, TokenIds: 1, FirstPosition: 6, PositionTable: 3, RowTokens: 5);
        Span<KernelArgument> written = stackalloc KernelArgument[EmbedLaunch.Parameters.Count];
        ulong given = launch.Write(written);
        given.ShouldBe(LaunchBinding.Expected(opt));
        written.ToArray().Select(a => a.Bits).ShouldBe(new ulong[] { 1, 2, 3, 4, 5, 6 });

        // Llama's takes the first, second and fourth only; a call giving OPT's extras does not match it.
        var llama = KernelEmitter.Emit(ModelCatalog.Get("llama-2-7b"))[KernelNames.Embed];
        new EmbedLaunch(TokenIds: 1, TokenTable: 2, Hidden: 4).Write(written).ShouldBe(LaunchBinding.Expected(llama));
        given.ShouldNotBe(LaunchBinding.Expected(llama));
    }

    [Fact]
    public void A_kernel_whose_signature_its_launcher_cannot_pass_is_refused_naming_both()
    {
        var residual = KernelEmitter.Emit(ModelCatalog.Get("llama-2-7b"))[KernelNames.ResidualAdd];
        var renamed = residual with { Parameters = new[] { residual.Parameters[0], new KernelParameter("const elem_t*", "delta", "renamed") } };
        var retyped = residual with { Parameters = new[] { residual.Parameters[0], residual.Parameters[1] with { CType = "const float*" } } };
        var unknown = residual with { Name = "residual_scale" };

        Should.Throw<InvalidOperationException>(() => LaunchBinding.Expected(renamed)).Message.ShouldContain("delta");
        Should.Throw<InvalidOperationException>(() => LaunchBinding.Expected(retyped)).Message.ShouldContain("const float* x");
        Should.Throw<InvalidOperationException>(() => LaunchBinding.Expected(unknown)).Message.ShouldContain("residual_scale");
    }
}
