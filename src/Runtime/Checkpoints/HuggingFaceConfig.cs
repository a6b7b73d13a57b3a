using System;
using System.IO;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// Reads a Hugging Face config.json into a <see cref="ModelSpec"/> for the families the toolkit runs
    /// (OPTForCausalLM, LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM). Anything the engines would compute
    /// differently (post-LayerNorm OPT, embedding projections, RoPE scaling other than linear and llama3, an attention
    /// window on some layers only, other activations) is refused by name rather than approximated.
    /// </summary>
    public static class HuggingFaceConfig
    {
        public const string FileName = "config.json";

        /// <summary>Each family by its Hugging Face class and model_type.</summary>
        private static readonly (string Class, string ModelType, Architecture Architecture)[] Families =
        {
            ("OPTForCausalLM", "opt", Architecture.Opt),
            ("LlamaForCausalLM", "llama", Architecture.Llama),
            ("MistralForCausalLM", "mistral", Architecture.Mistral),
            ("Qwen2ForCausalLM", "qwen2", Architecture.Qwen2),
        };

        /// <summary>The spec described by <paramref name="configPath"/>, named after its folder.</summary>
        public static ModelSpec Read(string configPath)
        {
            ModelSpec spec;
            try
            {
                var root = JsonParser.Parse(JsonFile.ReadText(configPath), configPath);
                string name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(configPath))) ?? "model";
                var architecture = ReadArchitecture(root);
                spec = architecture == Architecture.Opt ? ReadOpt(root, name) : ReadRotary(root, name, architecture);
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
        private static Architecture ReadArchitecture(JsonNode root)
        {
            if (root.Get("architectures") is { Kind: not JsonKind.Null } architectures)
            {
                var names = architectures.Items.Select(item => item.AsString()).ToArray();
                foreach (var family in Families)
                {
                    if (names.Contains(family.Class))
                        return family.Architecture;
                }
                throw architectures.Invalid($"names architecture '{string.Join("', '", names)}', which is not supported; supported: {string.Join(", ", Families.Select(f => f.Class))}");
            }
            var modelType = root.Required("model_type");
            string type = modelType.AsString();
            foreach (var family in Families)
            {
                if (family.ModelType == type)
                    return family.Architecture;
            }
            throw modelType.Invalid($"is '{type}', which is not supported; supported: {string.Join(", ", Families.Select(f => f.ModelType))}");
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
                AttentionOutputBias = bias,
                MlpBias = bias,
                TiedEmbeddings = Flag(root, "tie_word_embeddings", true),
            };
        }

        /// <summary>
        /// Llama, Mistral and Qwen2: one layout, with the family's biases (Llama's attention_bias and mlp_bias; Qwen2's
        /// fixed q, k, v biases) and attention window (Mistral's sliding_window; Qwen2's with use_sliding_window).
        /// </summary>
        private static ModelSpec ReadRotary(JsonNode root, string name, Architecture architecture)
        {
            int hidden = Dimension(root, "hidden_size", ModelLimits.Hidden);
            int heads = Dimension(root, "num_attention_heads", ModelLimits.Heads);
            int layers = Dimension(root, "num_hidden_layers", ModelLimits.Layers);
            if (Optional(root, "hidden_act") is { } act && act.AsString() != "silu")
                throw act.Invalid($"is '{act.AsString()}', but {architecture} models are supported with silu only");
            if (Optional(root, "head_dim") is { } headDim && headDim.AsLong() * heads != hidden)
                throw headDim.Invalid($"is {headDim.AsLong()}, but the engines need hidden_size / num_attention_heads = {hidden / heads}");
            int kvHeads = Optional(root, "num_key_value_heads") is { } kv ? (int)kv.AsLongIn(ModelLimits.Heads) : heads;
            double eps = Optional(root, "rms_norm_eps")?.AsNumberIn(ModelLimits.NormEps) ?? 1e-6;
            bool llamaAttentionBias = architecture == Architecture.Llama && Flag(root, "attention_bias", false);

            var spec = ModelSpec.Llama(name, hidden, layers, heads, kvHeads, Dimension(root, "intermediate_size", ModelLimits.FfnHidden),
                Dimension(root, "vocab_size", ModelLimits.Vocab), Dimension(root, "max_position_embeddings", ModelLimits.MaxPositions), eps,
                tiedEmbeddings: Flag(root, "tie_word_embeddings", false)) with
            {
                Architecture = architecture,
                AttentionBias = llamaAttentionBias || architecture == Architecture.Qwen2,
                AttentionOutputBias = llamaAttentionBias,
                MlpBias = architecture == Architecture.Llama && Flag(root, "mlp_bias", false),
                SlidingWindow = SlidingWindow(root, architecture, layers),
            };
            return ReadRope(root, spec);
        }

        /// <summary>
        /// The RoPE base and scaling: rope_parameters (transformers 5: rope_type and rope_theta together) or rope_scaling
        /// (rope_type, or type in older configs) beside a top-level rope_theta. Of the scalings only linear and llama3 are computed.
        /// </summary>
        private static ModelSpec ReadRope(JsonNode root, ModelSpec spec)
        {
            var parameters = Optional(root, "rope_parameters");
            var scaling = parameters ?? Optional(root, "rope_scaling");
            spec = spec with
            {
                RopeTheta = parameters is not null
                    ? parameters.Required("rope_theta").AsNumberIn(ModelLimits.RopeTheta)
                    : Optional(root, "rope_theta")?.AsNumberIn(ModelLimits.RopeTheta) ?? 10000,
            };
            if (scaling is null)
                return spec;

            var type = Optional(scaling, "rope_type") ?? scaling.Required("type");
            return type.AsString() switch
            {
                "default" => spec,
                "linear" => spec with { RopeScaling = RopeScaling.Linear, RopeScalingFactor = scaling.Required("factor").AsNumberIn(ModelLimits.RopeScalingFactor) },
                "llama3" => spec with
                {
                    RopeScaling = RopeScaling.Llama3,
                    RopeScalingFactor = scaling.Required("factor").AsNumberIn(ModelLimits.RopeScalingFactor),
                    RopeLowFrequencyFactor = scaling.Required("low_freq_factor").AsNumberIn(ModelLimits.RopeScalingFactor),
                    RopeHighFrequencyFactor = scaling.Required("high_freq_factor").AsNumberIn(ModelLimits.RopeScalingFactor),
                    RopeOriginalMaxPositions = Dimension(scaling, "original_max_position_embeddings", ModelLimits.MaxPositions),
                },
                var other => throw type.Invalid($"is '{other}': {other} RoPE scaling is not supported; supported: default, linear, llama3"),
            };
        }

        /// <summary>
        /// The attention window of every layer, 0 for none: Mistral's sliding_window; Qwen2's when use_sliding_window,
        /// on the layers from max_window_layers up; or what layer_types says (transformers 5). A window on some layers only is refused.
        /// </summary>
        private static int SlidingWindow(JsonNode root, Architecture architecture, int layers)
        {
            bool sliding = architecture switch
            {
                Architecture.Mistral => Optional(root, "sliding_window") is not null,
                Architecture.Qwen2 => Flag(root, "use_sliding_window", false),
                _ => false,
            };
            if (Optional(root, "layer_types") is { } layerTypes)
            {
                var types = layerTypes.Items.Select(item => item.AsString()).Distinct().ToArray();
                if (types.Length > 1 || types.Any(t => t != "full_attention" && t != "sliding_attention"))
                    throw layerTypes.Invalid($"holds '{string.Join("', '", types)}': only 'full_attention' on every layer or 'sliding_attention' on every layer is supported");
                sliding = types.Contains("sliding_attention");
            }
            else if (sliding && architecture == Architecture.Qwen2 && Optional(root, "max_window_layers") is { } windowLayers)
            {
                int full = (int)windowLayers.AsLongIn(ModelLimits.Layers with { Min = 0 });
                if (full > 0 && full < layers)
                    throw windowLayers.Invalid($"is {full}: a sliding window on layers {full} to {layers - 1} only is not supported (0 or num_hidden_layers is)");
                sliding = full == 0;
            }
            return sliding ? Dimension(root, "sliding_window", ModelLimits.MaxPositions) : 0;
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
