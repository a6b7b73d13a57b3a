using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Checkpoints
{
    /// <summary>Checks a checkpoint against the weights an engine expects, before anything is loaded.</summary>
    public static class CheckpointValidator
    {
        /// <summary>Buffers Hugging Face saved in some versions, recomputed by every engine: never worth a warning.</summary>
        private static readonly string[] IgnoredBufferSuffixes = { "rotary_emb.inv_freq" };

        /// <summary>
        /// Reports every missing tensor, wrong shape and unusable dtype in one <see cref="CheckpointException"/>.
        /// Returns warnings for tensors the map does not use (they are ignored).
        /// </summary>
        public static IReadOnlyList<string> Validate(this Checkpoint checkpoint, WeightMap map)
        {
            var problems = new List<string>();
            var used = new HashSet<string>();
            foreach (var entry in map.Entries)
            {
                if (!checkpoint.TryGetTensor(entry.Name, out var tensor))
                {
                    if (entry.IsRequired)
                        problems.Add($"tensor '{entry.Name}' {entry.ShapeText} is missing.");
                    continue;
                }
                used.Add(tensor.Name);
                if (!tensor.Shape.SequenceEqual(entry.Shape.Select(dim => (long)dim)))
                    problems.Add($"tensor '{tensor.Name}' has shape {tensor.ShapeText}, but the model needs {entry.ShapeText}.");
                if (!tensor.DType.IsConvertibleToSingle())
                    problems.Add($"tensor '{tensor.Name}' has dtype {tensor.DType.HeaderName()}, but weights must be F16, BF16 or F32.");
            }
            if (problems.Count > 0)
                throw new CheckpointException(ErrorCodes.CheckpointMismatch, checkpoint.Folder, problems);

            return checkpoint.TensorNames
                .Where(name => !used.Contains(name) && !IgnoredBufferSuffixes.Any(name.EndsWith))
                .OrderBy(name => name, System.StringComparer.Ordinal)
                .Select(name => $"{checkpoint.Folder}: tensor '{name}' is not used by the model and is ignored.")
                .ToArray();
        }
    }
}
