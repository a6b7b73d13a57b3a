using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// The tensors of a Hugging Face checkpoint folder: one model.safetensors, or shards listed by
    /// model.safetensors.index.json. Every shard is memory-mapped and validated on open; Dispose unmaps them.
    /// </summary>
    public sealed class Checkpoint : IDisposable
    {
        public const string SingleFileName = "model.safetensors";
        public const string IndexFileName = "model.safetensors.index.json";

        /// <summary>Older exports drop the base model's prefix ("decoder.layers.0…" for "model.decoder.layers.0…").</summary>
        private const string BaseModelPrefix = "model.";

        private readonly IReadOnlyList<SafetensorsFile> _files;
        private readonly IReadOnlyDictionary<string, SafetensorsTensor> _tensors;

        private Checkpoint(string folder, IReadOnlyList<SafetensorsFile> files, IReadOnlyDictionary<string, SafetensorsTensor> tensors)
        {
            Folder = folder;
            _files = files;
            _tensors = tensors;
        }

        public string Folder { get; }

        /// <summary>The safetensors files the tensors live in (one, or the shards).</summary>
        public IReadOnlyList<SafetensorsFile> Files => _files;

        public IReadOnlyCollection<string> TensorNames => _tensors.Keys.ToArray();

        public static Checkpoint Open(string folder)
        {
            if (!Directory.Exists(folder))
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, folder, "the checkpoint folder does not exist.");
            string index = Path.Combine(folder, IndexFileName);
            if (File.Exists(index))
                return OpenSharded(folder, index);
            string single = Path.Combine(folder, SingleFileName);
            if (!File.Exists(single))
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, folder, $"the folder holds neither {SingleFileName} nor {IndexFileName}.");
            var file = SafetensorsFile.Open(single);
            return new Checkpoint(folder, new[] { file }, file.Tensors);
        }

        /// <summary>
        /// The tensor stored under <paramref name="name"/>, or under the name without its "model." prefix
        /// (as some exports write it).
        /// </summary>
        public bool TryGetTensor(string name, out SafetensorsTensor tensor) =>
            _tensors.TryGetValue(name, out tensor!)
            || (name.StartsWith(BaseModelPrefix, StringComparison.Ordinal) && _tensors.TryGetValue(name.Substring(BaseModelPrefix.Length), out tensor!));

        public SafetensorsTensor GetTensor(string name) => TryGetTensor(name, out var tensor)
            ? tensor
            : throw new CheckpointException(ErrorCodes.CheckpointMismatch, Folder, $"the checkpoint has no tensor '{name}'.");

        public void Dispose()
        {
            foreach (var file in _files)
                file.Dispose();
        }

        private static Checkpoint OpenSharded(string folder, string indexPath)
        {
            var weightMap = ReadWeightMap(indexPath);
            var files = new List<SafetensorsFile>();
            try
            {
                var problems = new List<string>();
                var tensors = new Dictionary<string, SafetensorsTensor>();
                foreach (var shard in weightMap.GroupBy(pair => pair.Value, pair => pair.Key))
                {
                    string shardPath = Path.Combine(folder, shard.Key);
                    if (!File.Exists(shardPath))
                    {
                        problems.Add($"shard '{shard.Key}' (holding {shard.Count()} tensors, e.g. '{shard.First()}') does not exist in the folder.");
                        continue;
                    }
                    var file = SafetensorsFile.Open(shardPath);
                    files.Add(file);
                    foreach (string name in shard)
                    {
                        if (file.Tensors.TryGetValue(name, out var tensor))
                            tensors.Add(name, tensor);
                        else
                            problems.Add($"tensor '{name}' is mapped to shard '{shard.Key}', which does not hold it.");
                    }
                }
                if (problems.Count > 0)
                    throw new CheckpointException(ErrorCodes.InvalidCheckpoint, indexPath, problems);
                return new Checkpoint(folder, files, tensors);
            }
            catch
            {
                foreach (var file in files)
                    file.Dispose();
                throw;
            }
        }

        /// <summary>The index's weight_map: tensor name → shard file name (a plain name inside the folder).</summary>
        private static IReadOnlyList<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
        {
            try
            {
                var map = JsonParser.Parse(JsonFile.ReadText(indexPath), indexPath).Required("weight_map");
                return map.Properties.Select(pair =>
                {
                    string shard = pair.Value.AsString();
                    if (shard.Length == 0 || Path.GetFileName(shard) != shard)
                        throw pair.Value.Invalid($"must name a file inside the checkpoint folder, but is \"{shard}\"");
                    return new KeyValuePair<string, string>(pair.Key, shard);
                }).ToArray();
            }
            catch (JsonFormatException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.InvalidCheckpoint, e);
            }
        }
    }
}
