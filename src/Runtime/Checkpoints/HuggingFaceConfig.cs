using System;
using System.IO;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// Reads a Hugging Face config.json into a <see cref="ModelSpec"/> for the families the toolkit runs
    /// (OPTForCausalLM, LlamaForCausalLM). Anything the engines would compute differently (post-LayerNorm
    /// OPT, embedding projections, scaled RoPE, other activations) is refused by name rather than approximated.
    /// </summary>
    public static class HuggingFaceConfig
    {
        public const string FileName = "config.json";

        private const string OptArchitecture = "OPTForCausalLM";
        private const string LlamaArchitecture = "LlamaForCausalLM";

        /// <summary>The spec described by <paramref name="configPath"/>, named after its folder.</summary>
        public static ModelSpec Read(string configPath)
        {
            ModelSpec spec;
            try
            {
                var root = JsonParser.Parse(JsonFile.ReadText(configPath), configPath);
                string name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(configPath))) ?? "model";
                spec = IsOpt(root) ? ReadOpt(root, name) : ReadLlama(root, name);
                spec = spec with { WeightType = ReadWeightType(root) };
            }
            catch (JsonFormatException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.UnsupportedModelConfig, e);
            }

            var errors = spec.Validate();
            if (errors.Count > 0)
                throw new CheckpointException(ErrorCodes.UnsupportedModelConfig, configPath, errors.Select(e => e.Message).ToArray());
            return spec;
        }

        /// <summary>Which family: by <c>architectures</c>, else by <c>model_type</c>; others are refused by name.</summary>
        private static bool IsOpt(JsonNode root)
        {
            if (root.Get("architectures") is { Kind: not JsonKind.Null } architectures)
            {
                var names = architectures.Items.Select(item => item.AsString()).ToArray();
                if (names.Contains(OptArchitecture) || names.Contains(LlamaArchitecture))
                    return names.Contains(OptArchitecture);
                throw architectures.Invalid($"names architecture '{string.Join("', '", names)}', which is not supported; supported: {OptArchitecture}, {LlamaArchitecture}");
            }
            var modelType = root.Required("model_type");
            return modelType.AsString() switch
            {
                "opt" => true,
                "llama" => false,
                var other => throw modelType.Invalid($"is '{other}', which is not supported; supported: opt, llama"),
            };
        }

        private static ModelSpec ReadOpt(JsonNode root, string name)
        {
            int hidden = Dimension(root, "hidden_size", ModelLimits.Hidden);
            if (!Flag(root, "do_layer_norm_before", true))
                throw root.Required("do_layer_norm_before").Invalid("is false: post-LayerNorm OPT models (opt-350m) are not supported");
            if (Optional(root, "word_embed_proj_dim") is { } projection && projection.AsLong() != hidden)
                throw projection.Invalid($"is {projection.AsLong()}, not hidden_size ({hidden}): OPT models with embedding projections (opt-350m) are not supported");
            if (!Flag(root, "layer_norm_elementwise_affine", true))
                throw root.Required("layer_norm_elementwise_affine").Invalid("is false: layer norms without weights are not supported");
            if (Flag(root, "_remove_final_layer_norm", false))
                throw root.Required("_remove_final_layer_norm").Invalid("is true: OPT models without a final layer norm are not supported");

            var activationNode = Optional(root, "activation_function");
            var activation = (activationNode?.AsString() ?? "relu") switch
            {
                "relu" => Activation.Relu,
                "gelu" => Activation.Gelu,
                var other => throw activationNode!.Invalid($"is '{other}', which is not supported; supported: relu, gelu"),
            };
            bool bias = Flag(root, "enable_bias", true);
            return ModelSpec.Opt(name, hidden, Dimension(root, "num_hidden_layers", ModelLimits.Layers), Dimension(root, "num_attention_heads", ModelLimits.Heads),
                Dimension(root, "ffn_dim", ModelLimits.FfnHidden), Dimension(root, "vocab_size", ModelLimits.Vocab),
                Dimension(root, "max_position_embeddings", ModelLimits.MaxPositions)) with
            {
                Activation = activation,
                AttentionBias = bias,
                MlpBias = bias,
                TiedEmbeddings = Flag(root, "tie_word_embeddings", true),
            };
        }

        private static ModelSpec ReadLlama(JsonNode root, string name)
        {
            int hidden = Dimension(root, "hidden_size", ModelLimits.Hidden);
            int heads = Dimension(root, "num_attention_heads", ModelLimits.Heads);
            if (Optional(root, "hidden_act") is { } act && act.AsString() != "silu")
                throw act.Invalid($"is '{act.AsString()}', but Llama models are supported with silu only");
            if (Optional(root, "head_dim") is { } headDim && headDim.AsLong() * heads != hidden)
                throw headDim.Invalid($"is {headDim.AsLong()}, but the engines need hidden_size / num_attention_heads = {hidden / heads}");
            int kvHeads = Optional(root, "num_key_value_heads") is { } kv ? (int)kv.AsLongIn(ModelLimits.Heads) : heads;
            double eps = Optional(root, "rms_norm_eps")?.AsNumberIn(ModelLimits.NormEps) ?? 1e-6;

            return ModelSpec.Llama(name, hidden, Dimension(root, "num_hidden_layers", ModelLimits.Layers), heads, kvHeads,
                Dimension(root, "intermediate_size", ModelLimits.FfnHidden), Dimension(root, "vocab_size", ModelLimits.Vocab),
                Dimension(root, "max_position_embeddings", ModelLimits.MaxPositions), eps, RopeTheta(root),
                Flag(root, "tie_word_embeddings", false)) with
            {
                AttentionBias = Flag(root, "attention_bias", false),
                MlpBias = Flag(root, "mlp_bias", false),
            };
        }

        /// <summary>rope_theta, or rope_parameters.rope_theta in newer transformers; scaled variants are refused.</summary>
        private static double RopeTheta(JsonNode root)
        {
            if (Optional(root, "rope_scaling") is { } scaling)
                throw scaling.Invalid("is set: scaled RoPE (linear, dynamic, yarn, llama3) is not supported");
            if (Optional(root, "rope_parameters") is { } parameters)
            {
                if (Optional(parameters, "rope_type") is { } type && type.AsString() != "default")
                    throw type.Invalid($"is '{type.AsString()}': scaled RoPE is not supported, only 'default'");
                return parameters.Required("rope_theta").AsNumberIn(ModelLimits.RopeTheta);
            }
            return Optional(root, "rope_theta")?.AsNumberIn(ModelLimits.RopeTheta) ?? 10000;
        }

        /// <summary>
        /// dtype (torch_dtype before transformers 4.56). float32 checkpoints map to Float16: the engines keep
        /// weights and KV in 16 bits and the loader converts.
        /// </summary>
        private static WeightType ReadWeightType(JsonNode root)
        {
            var node = Optional(root, "dtype") ?? Optional(root, "torch_dtype");
            return (node?.AsString() ?? "float16") switch
            {
                "float16" or "float32" => WeightType.Float16,
                "bfloat16" => WeightType.BFloat16,
                var other => throw node!.Invalid($"is '{other}', which is not supported; supported: float16, bfloat16, float32"),
            };
        }

        /// <summary>An integer field checked against the spec's limit for it, so the error names the config's key.</summary>
        private static int Dimension(JsonNode root, string field, ValueRange range) => (int)root.Required(field).AsLongIn(range);

        private static bool Flag(JsonNode root, string field, bool fallback) => Optional(root, field)?.AsBool() ?? fallback;

        /// <summary>A field that may be absent or null (transformers writes null for unset options).</summary>
        private static JsonNode? Optional(JsonNode node, string field) => node.Get(field) is { Kind: not JsonKind.Null } value ? value : null;
    }
}
