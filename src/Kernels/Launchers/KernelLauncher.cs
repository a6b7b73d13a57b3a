using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Kernels.Launchers
{
    /// <summary>
    /// The typed launcher of one entry point: every parameter any model's kernel of that name takes, in source order.
    /// A parameter absent from some model's kernel is optional. <see cref="LauncherEmitter"/> writes these as C#.
    /// </summary>
    public sealed record KernelLauncher(string Kernel, IReadOnlyList<LauncherParameter> Parameters)
    {
        /// <summary>
        /// Models that, together, give every kernel each parameter it can have and leave out each optional one: OPT
        /// (learned positions, LayerNorm, biases everywhere) with and without biases, Llama (none of them, gated MLP),
        /// Llama with every bias (a gated MLP with biases), and Llama with heads of 64, whose prefill runs on the tensor cores
        /// (prefill_attention_mma; the others' heads of 16 keep prefill_attention).
        /// </summary>
        public static IReadOnlyList<ModelSpec> Variants { get; } = new[]
        {
            ModelSpec.Opt("opt", hidden: 64, layers: 1, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128),
            ModelSpec.Opt("opt-no-biases", hidden: 64, layers: 1, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128) with
            {
                AttentionBias = false, AttentionOutputBias = false, MlpBias = false,
            },
            ModelSpec.Llama("llama", hidden: 64, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128),
            ModelSpec.Llama("llama-biases", hidden: 64, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128) with
            {
                AttentionBias = true, AttentionOutputBias = true, MlpBias = true,
            },
            ModelSpec.Llama("llama-head-64", hidden: 256, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128),
        };

        /// <summary>The launchers of every kernel the <see cref="Variants"/> have, in the order the kernels first appear.</summary>
        public static IReadOnlyList<KernelLauncher> ForAllModels() => Merge(Variants.Select(KernelEmitter.Emit).ToArray());

        /// <summary>One launcher per kernel name over these kernel sets; their parameter lists must agree in order and C type.</summary>
        public static IReadOnlyList<KernelLauncher> Merge(IReadOnlyList<KernelSet> sets)
        {
            var names = sets.SelectMany(s => s.Kernels).Select(k => k.Name).Distinct().ToArray();
            return names.Select(name =>
            {
                var versions = sets.Where(s => s.Contains(name)).Select(s => s[name].Parameters).ToArray();
                var merged = versions.Aggregate((IReadOnlyList<KernelParameter>)Array.Empty<KernelParameter>(), (a, b) => MergeOrdered(name, a, b));
                return new KernelLauncher(name, merged
                    .Select(p => new LauncherParameter(p.CType, p.Name, versions.Any(v => v.All(q => q.Name != p.Name))))
                    .ToArray());
            }).ToArray();
        }

        /// <summary>The shortest list holding both lists in order; a parameter in both must have one C type and one place.</summary>
        private static IReadOnlyList<KernelParameter> MergeOrdered(string kernel, IReadOnlyList<KernelParameter> a, IReadOnlyList<KernelParameter> b)
        {
            var merged = new List<KernelParameter>();
            int i = 0, j = 0;
            bool Later(IReadOnlyList<KernelParameter> list, int from, string name) => list.Skip(from).Any(p => p.Name == name);
            while (i < a.Count || j < b.Count)
            {
                if (i < a.Count && j < b.Count && a[i].Name == b[j].Name)
                {
                    if (a[i].CType != b[j].CType)
                        throw new InvalidOperationException($"Kernel '{kernel}' takes parameter '{a[i].Name}' as {a[i].CType} in one model and {b[j].CType} in another.");
                    merged.Add(a[i++]);
                    j++;
                }
                else if (i < a.Count && !Later(b, j, a[i].Name))
                    merged.Add(a[i++]);
                else if (j < b.Count && !Later(a, i, b[j].Name))
                    merged.Add(b[j++]);
                else
                    throw new InvalidOperationException($"Kernel '{kernel}' orders its parameters differently across models: ({string.Join(", ", a.Select(p => p.Name))}) and ({string.Join(", ", b.Select(p => p.Name))}).");
            }
            return merged;
        }
    }
}
