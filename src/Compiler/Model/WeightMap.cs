using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>
    /// Every weight a model of a given spec has, under its Hugging Face name: what a checkpoint is checked
    /// against and what the engines load. Pure data with value equality, so the generator can emit it and
    /// tests can compare maps.
    /// </summary>
    public sealed class WeightMap : IEquatable<WeightMap>
    {
        public IReadOnlyList<WeightMapEntry> Entries { get; }

        /// <summary>A map from its entries, e.g. as emitted by the source generator; <see cref="For"/> derives one from a spec.</summary>
        public WeightMap(IReadOnlyList<WeightMapEntry> entries) => Entries = entries;

        /// <summary>The weights of <paramref name="spec"/>, in the order model-level inputs, layers, model-level outputs.</summary>
        public static WeightMap For(ModelSpec spec)
        {
            var entries = new List<WeightMapEntry>();
            if (spec.Architecture == Architecture.Opt)
                AddOpt(spec, entries);
            else
                AddLlama(spec, entries);
            return new WeightMap(entries);
        }

        /// <summary>The entry for <paramref name="role"/> in <paramref name="layer"/> (null for model-level weights).</summary>
        public WeightMapEntry Get(WeightMapRole role, int? layer = null) =>
            TryGet(role, layer, out var entry) ? entry
            : throw new KeyNotFoundException($"This model has no {role} weight" + (layer is int i ? $" in layer {i}." : "."));

        public bool TryGet(WeightMapRole role, int? layer, out WeightMapEntry entry)
        {
            entry = Entries.FirstOrDefault(e => e.Role == role && e.Layer == layer)!;
            return entry is not null;
        }

        private static void AddOpt(ModelSpec spec, List<WeightMapEntry> entries)
        {
            int h = spec.Hidden, f = spec.FfnHidden;
            const string Model = "model.decoder.";
            void Add(string name, WeightMapRole role, int? layer, params int[] shape) => entries.Add(new WeightMapEntry(name, role, layer, shape));

            Add(Model + "embed_tokens.weight", WeightMapRole.TokenEmbedding, null, spec.Vocab, h);
            Add(Model + "embed_positions.weight", WeightMapRole.PositionEmbedding, null, checked(spec.MaxPositions + spec.PositionOffset), h);
            for (int i = 0; i < spec.Layers; i++)
            {
                string layer = $"{Model}layers.{i}.";
                Add(layer + "self_attn_layer_norm.weight", WeightMapRole.AttentionNormWeight, i, h);
                Add(layer + "self_attn_layer_norm.bias", WeightMapRole.AttentionNormBias, i, h);
                AddAttention(spec, entries, layer, i, "out_proj");
                Add(layer + "final_layer_norm.weight", WeightMapRole.MlpNormWeight, i, h);
                Add(layer + "final_layer_norm.bias", WeightMapRole.MlpNormBias, i, h);
                Add(layer + "fc1.weight", WeightMapRole.UpWeight, i, f, h);
                if (spec.MlpBias)
                    Add(layer + "fc1.bias", WeightMapRole.UpBias, i, f);
                Add(layer + "fc2.weight", WeightMapRole.DownWeight, i, h, f);
                if (spec.MlpBias)
                    Add(layer + "fc2.bias", WeightMapRole.DownBias, i, h);
            }
            Add(Model + "final_layer_norm.weight", WeightMapRole.FinalNormWeight, null, h);
            Add(Model + "final_layer_norm.bias", WeightMapRole.FinalNormBias, null, h);
            entries.Add(LmHead(spec, Model + "embed_tokens.weight"));
        }

        /// <summary>Llama, Mistral and Qwen2 share Hugging Face's Llama tensor names.</summary>
        private static void AddLlama(ModelSpec spec, List<WeightMapEntry> entries)
        {
            int h = spec.Hidden, f = spec.FfnHidden;
            const string Model = "model.";
            void Add(string name, WeightMapRole role, int? layer, params int[] shape) => entries.Add(new WeightMapEntry(name, role, layer, shape));

            Add(Model + "embed_tokens.weight", WeightMapRole.TokenEmbedding, null, spec.Vocab, h);
            for (int i = 0; i < spec.Layers; i++)
            {
                string layer = $"{Model}layers.{i}.";
                Add(layer + "input_layernorm.weight", WeightMapRole.AttentionNormWeight, i, h);
                AddAttention(spec, entries, layer, i, "o_proj");
                Add(layer + "post_attention_layernorm.weight", WeightMapRole.MlpNormWeight, i, h);
                var mlp = new[]
                {
                    ("gate_proj", WeightMapRole.GateWeight, WeightMapRole.GateBias, f, h),
                    ("up_proj", WeightMapRole.UpWeight, WeightMapRole.UpBias, f, h),
                    ("down_proj", WeightMapRole.DownWeight, WeightMapRole.DownBias, h, f),
                };
                foreach (var (name, weight, bias, outputs, inputs) in mlp)
                {
                    Add($"{layer}mlp.{name}.weight", weight, i, outputs, inputs);
                    if (spec.MlpBias)
                        Add($"{layer}mlp.{name}.bias", bias, i, outputs);
                }
            }
            Add(Model + "norm.weight", WeightMapRole.FinalNormWeight, null, h);
            entries.Add(LmHead(spec, Model + "embed_tokens.weight"));
        }

        /// <summary>q, k, v and output projections: every family names them self_attn.{q,k,v}_proj; biases as the spec says (Qwen2: q, k, v only).</summary>
        private static void AddAttention(ModelSpec spec, List<WeightMapEntry> entries, string layerPrefix, int layer, string outputName)
        {
            int h = spec.Hidden, q = spec.QueryDim, kv = spec.KvDim;
            var projections = new[]
            {
                ("q_proj", WeightMapRole.QueryWeight, WeightMapRole.QueryBias, q, h, spec.AttentionBias),
                ("k_proj", WeightMapRole.KeyWeight, WeightMapRole.KeyBias, kv, h, spec.AttentionBias),
                ("v_proj", WeightMapRole.ValueWeight, WeightMapRole.ValueBias, kv, h, spec.AttentionBias),
                (outputName, WeightMapRole.AttentionOutputWeight, WeightMapRole.AttentionOutputBias, h, q, spec.AttentionOutputBias),
            };
            foreach (var (name, weight, bias, outputs, inputs, hasBias) in projections)
            {
                entries.Add(new WeightMapEntry($"{layerPrefix}self_attn.{name}.weight", weight, layer, new[] { outputs, inputs }));
                if (hasBias)
                    entries.Add(new WeightMapEntry($"{layerPrefix}self_attn.{name}.bias", bias, layer, new[] { outputs }));
            }
        }

        /// <summary>The output projection; tied models reuse the token embedding, so the checkpoint may omit it.</summary>
        private static WeightMapEntry LmHead(ModelSpec spec, string embedTokens) =>
            new WeightMapEntry("lm_head.weight", WeightMapRole.LmHead, null, new[] { spec.Vocab, spec.Hidden },
                spec.TiedEmbeddings ? embedTokens : null);

        public bool Equals(WeightMap? other) => other is not null && Entries.SequenceEqual(other.Entries);

        public override bool Equals(object? obj) => Equals(obj as WeightMap);

        public override int GetHashCode() => Entries.Aggregate(Entries.Count, (hash, entry) => unchecked(hash * 31 + entry.GetHashCode()));
    }
}
