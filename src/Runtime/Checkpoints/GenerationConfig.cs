using System;
using System.IO;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>The end-of-sequence tokens of a checkpoint folder.</summary>
    public static class GenerationConfig
    {
        public const string FileName = "generation_config.json";

        /// <summary>
        /// eos_token_id (an id or a list of ids) from generation_config.json, else from config.json; empty
        /// when neither states one (generation then stops only at the token limit).
        /// </summary>
        public static int[] ReadEosTokenIds(string folder)
        {
            foreach (string file in new[] { FileName, HuggingFaceConfig.FileName })
            {
                string path = Path.Combine(folder, file);
                if (!File.Exists(path))
                    continue;
                try
                {
                    var eos = JsonParser.Parse(JsonFile.ReadText(path), path).Get("eos_token_id");
                    switch (eos?.Kind)
                    {
                        case null or JsonKind.Null:
                            continue;
                        case JsonKind.Array:
                            return eos.Items.Select(item => item.AsInt()).ToArray();
                        default:
                            return new[] { eos.AsInt() };
                    }
                }
                catch (JsonFormatException e)
                {
                    throw CheckpointException.FromJson(ErrorCodes.UnsupportedModelConfig, e);
                }
            }
            return Array.Empty<int>();
        }
    }
}
