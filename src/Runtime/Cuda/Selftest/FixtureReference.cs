using System;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// What Hugging Face computed for a fixture checkpoint (tests/fixtures/*/reference.safetensors): the prompts,
    /// the prefill logits at every position, the greedy tokens and the logits each was chosen from.
    /// </summary>
    internal sealed class FixtureReference
    {
        public const string FileName = "reference.safetensors";

        private FixtureReference(string folder)
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

        public static FixtureReference Read(string folder) => new(folder);

        private static T[][] Rows<T>(T[] values, int rows) =>
            Enumerable.Range(0, rows).Select(r => values.AsSpan(r * (values.Length / rows), values.Length / rows).ToArray()).ToArray();
    }
}
