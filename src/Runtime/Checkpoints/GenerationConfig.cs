using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Runtime.Json;

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
                    switch (JsonField.ReadFile(path).Optional("eos_token_id"))
                    {
                        case null:
                            continue;
                        case { Kind: JsonValueKind.Array } eos:
                            return eos.Items.Select(item => item.AsInt()).ToArray();
                        case var eos:
                            return new[] { eos.AsInt() };
                    }
                }
                catch (JsonFieldException e)
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
                return JsonField.ReadFile(path).Optional("stop_strings") switch
                {
                    null => Array.Empty<string>(),
                    { Kind: JsonValueKind.Array } stop => stop.Items.Select(item => item.AsString()).ToArray(),
                    var stop => new[] { stop.AsString() },
                };
            }
            catch (JsonFieldException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.UnsupportedModelConfig, e);
            }
        }
    }
}
