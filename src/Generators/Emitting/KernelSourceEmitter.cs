using System.Linq;
using Kvpr.Generators.Model;
using Kvpr.Kernels;

namespace Kvpr.Generators.Emitting
{
    /// <summary>
    /// The model's CUDA kernels: each entry point's signature and launch shape as a literal, then the whole
    /// translation unit as a raw string, so a person reads the CUDA source as NVRTC will compile it.
    /// </summary>
    internal static class KernelSourceEmitter
    {
        private const string Kernels = "global::Kvpr.Kernels.";

        public static GeneratedFile Emit(ModelDeclaration model, KernelSet kernels)
        {
            var header = new[]
            {
                $"{kernels.Kernels.Count} entry points in one translation unit, compiled by NVRTC at run time; sha256 {kernels.ContentHash}",
                "(the runtime's compile cache key; KernelSet recomputes it from the source).",
            };
            return PartialTypeWriter.Write(model, "Kernels", "CUDA kernels", header, writer =>
            {
                writer.Line("/// <summary>The model's CUDA kernels and the signature and launch shape of each entry point.</summary>")
                    .Line($"public static {Kernels}KernelSet Kernels => Blueprint.Kernels;")
                    .Line();
                using (writer.Block($"private static {Kernels}KernelSet CreateKernels()"))
                {
                    var variables = kernels.Kernels.SelectMany(k => new[] { k.Launch.GridX, k.Launch.GridY, k.Launch.GridZ })
                        .Select(e => e.Variable).OfType<LaunchVariable>().Distinct().OrderBy(v => v).ToArray();
                    if (variables.Length > 0)
                    {
                        writer.LocalConstants(Kernels + "LaunchVariable", variables.Select(v => v.ToString()).ToArray())
                            .Line($"static {Kernels}LaunchExtent Per({Kernels}LaunchVariable variable, int perBlock = 1) => {Kernels}LaunchExtent.Of(variable, perBlock);");
                    }
                    writer.Line($"static {Kernels}LaunchExtent Fixed(int blocks) => {Kernels}LaunchExtent.Of(blocks);")
                        .Line();
                    using (writer.Line($"return new({Literals.String(kernels.ModelName)}, CudaSource,").Indent("[", "]);"))
                    {
                        foreach (var kernel in kernels.Kernels)
                        {
                            writer.Line($"new({Literals.String(kernel.Name)}, {Literals.String(kernel.Description)},");
                            using (writer.Indent("    [", "    ],"))
                            {
                                foreach (var parameter in kernel.Parameters)
                                    writer.Line($"    new({Literals.String(parameter.CType)}, {Literals.String(parameter.Name)}, {Literals.String(parameter.Meaning)}),");
                            }
                            var launch = kernel.Launch;
                            writer.Line($"    new({Extent(launch.GridX)}, {Extent(launch.GridY)}, {Extent(launch.GridZ)}, BlockThreads: {Literals.Int(launch.BlockThreads)})),");
                        }
                    }
                }
                writer.Line()
                    .Line($"/// <summary>The CUDA C++ source of '{kernels.ModelName}', as emitted by Kvpr.Kernels.KernelEmitter.</summary>")
                    .Line("private const string CudaSource =")
                    .Verbatim(Literals.RawString(kernels.Source) + ";\n");
            });
        }

        private static string Extent(LaunchExtent extent) =>
            extent.Variable is not LaunchVariable variable ? $"Fixed({Literals.Int(extent.Constant)})"
            : extent.PerBlock == 1 ? $"Per({variable})"
            : $"Per({variable}, perBlock: {Literals.Int(extent.PerBlock)})";
    }
}
