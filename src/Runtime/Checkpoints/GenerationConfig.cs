using System;
using System.IO;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>The end-of-sequence tokens and stop strings of a checkpoint folder.</summary>
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

        /// <summary>stop_strings (a string or a list of them) from generation_config.json; empty when it states none.</summary>
        public static string[] ReadStopStrings(string folder)
        {
            string path = Path.Combine(folder, FileName);
            if (!File.Exists(path))
                return Array.Empty<string>();
            try
            {
                var stop = JsonParser.Parse(File.ReadAllText(path), path).Get("stop_strings");
                return stop?.Kind switch
                {
                    null or JsonKind.Null => Array.Empty<string>(),
                    JsonKind.Array => stop.Items.Select(item => item.AsString()).ToArray(),
                    _ => new[] { stop.AsString() },
                };
            }
            catch (JsonFormatException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.UnsupportedModelConfig, e);
            }
        }
    }
}
