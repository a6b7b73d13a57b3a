using System;
using System.IO;
using System.Linq;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// What Hugging Face computed for a reference checkpoint (tests/fixtures/*/reference.safetensors, written by
    /// tests/fixtures/make_fixtures.py): the prompts, the prefill logits at every position, the greedy tokens and
    /// the logits each was chosen from. The oracle of the CPU tests and of <c>kvpr selftest</c>.
    /// </summary>
    public sealed class ReferenceOutputs
    {
        public const string FileName = "reference.safetensors";

        private ReferenceOutputs(string folder)
        {
            using var reference = SafetensorsFile.Open(Path.Combine(folder, FileName));
            var ids = reference["input_ids"];
            int batch = (int)ids.Shape[0];
            Prompts = Rows(ids.ToInt64Array().Select(id => (int)id).ToArray(), batch);
            GeneratedTokens = Rows(reference["generated_ids"].ToInt64Array().Select(id => (int)id).ToArray(), batch);
            int vocab = (int)reference["prefill_logits"].Shape[2];
            PrefillLogits = Rows(reference["prefill_logits"].ToSingleArray(), batch).Select(l => Rows(l, l.Length / vocab)).ToArray();
            StepLogits = Rows(reference["step_logits"].ToSingleArray(), batch).Select(l => Rows(l, l.Length / vocab)).ToArray();
        }

        public int[][] Prompts { get; }
        public int[][] GeneratedTokens { get; }
        /// <summary>Per sequence, per prompt position: the logits.</summary>
        public float[][][] PrefillLogits { get; }
        /// <summary>Per sequence, per generated token: the logits it was chosen from.</summary>
        public float[][][] StepLogits { get; }
        public int NewTokens => GeneratedTokens[0].Length;

        /// <param name="folder">A checkpoint folder holding <see cref="FileName"/>.</param>
        public static ReferenceOutputs Read(string folder) => new(folder);

        private static T[][] Rows<T>(T[] values, int rows) =>
            Enumerable.Range(0, rows).Select(r => values.AsSpan(r * (values.Length / rows), values.Length / rows).ToArray()).ToArray();
    }
}
