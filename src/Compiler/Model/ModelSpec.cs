using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// The dimensions and numerics of a decoder-only transformer: everything the planner, the kernel
    /// emitters and the runtime need to know about a model, and nothing about its weights.
    /// Build one with <see cref="Opt"/>, <see cref="Llama"/>, <see cref="Mistral"/> or <see cref="Qwen2"/> so the
    /// family's conventions apply, then call <see cref="Validate"/>.
    /// </summary>
    public sealed record ModelSpec
    {
        public string Name { get; init; } = "model";
        public Architecture Architecture { get; init; }
        public int Hidden { get; init; }
        public int Layers { get; init; }
        public int Heads { get; init; }
        public int KvHeads { get; init; }
        public int FfnHidden { get; init; }
        public int Vocab { get; init; }
        public int MaxPositions { get; init; }
        public NormKind Norm { get; init; }
        public double NormEps { get; init; }
        public Activation Activation { get; init; }
        /// <summary>Whether the MLP is gated (down(act(gate(x)) * up(x))), as in Llama.</summary>
        public bool GatedMlp { get; init; }
        /// <summary>Rotary embedding base; 0 when the family uses learned positions (OPT).</summary>
        public double RopeTheta { get; init; }
        /// <summary>How the rotary frequencies are scaled; the Rope* parameters below belong to it and are 0 where it does not use them.</summary>
        public RopeScaling RopeScaling { get; init; }
        /// <summary>Linear and Llama 3 scaling: how much longer the context is than the training length (frequencies divided by it).</summary>
        public double RopeScalingFactor { get; init; }
        /// <summary>Llama 3 scaling: wavelengths above OriginalMaxPositions / this are divided by the factor.</summary>
        public double RopeLowFrequencyFactor { get; init; }
        /// <summary>Llama 3 scaling: wavelengths below OriginalMaxPositions / this are kept.</summary>
        public double RopeHighFrequencyFactor { get; init; }
        /// <summary>Llama 3 scaling: the context length the model was trained with.</summary>
        public int RopeOriginalMaxPositions { get; init; }
        /// <summary>Tokens a query attends to, itself included: the last SlidingWindow positions (Mistral); 0 attends to the whole context.</summary>
        public int SlidingWindow { get; init; }
        /// <summary>Biases on the q, k and v projections.</summary>
        public bool AttentionBias { get; init; }
        /// <summary>A bias on the attention's output projection (OPT; Qwen2 has q, k, v biases but none here).</summary>
        public bool AttentionOutputBias { get; init; }
        public bool MlpBias { get; init; }
        public bool TiedEmbeddings { get; init; }
        public WeightType WeightType { get; init; } = WeightType.Float16;

        private readonly int _headDim;

        /// <summary>
        /// Elements of one attention head: Hidden / Heads unless set. A rank of a tensor-parallel model sets it, since it
        /// keeps the model's head dimension with a share of its heads, so its <see cref="QueryDim"/> is not Hidden.
        /// </summary>
        public int HeadDim
        {
            get => _headDim != 0 ? _headDim : Heads > 0 ? Hidden / Heads : 0;
            init => _headDim = value;
        }

        /// <summary>Width of Q (and of the attention's context) per token: heads × head dim; the residual stream is <see cref="Hidden"/> wide.</summary>
        public int QueryDim => Heads * HeadDim;

        // Whether HeadDim was set rather than derived from Hidden / Heads.
        private bool HasExplicitHeadDim => _headDim != 0;

        /// <summary>Width of K (and of V) per token: kv heads × head dim.</summary>
        public int KvDim => KvHeads * HeadDim;

        /// <summary>Bytes of one element of weights, activations and KV.</summary>
        public int ElementBytes => 2;

        /// <summary>OPT's learned position table is indexed from 2 (a fairseq legacy); others from 0.</summary>
        public int PositionOffset => Architecture == Architecture.Opt ? 2 : 0;

        /// <summary>Weight elements of one decoder layer (attention, MLP, norms, biases).</summary>
        public long LayerWeightElements
        {
            get
            {
                long h = Hidden, q = QueryDim, kv = KvDim, f = FfnHidden;
                return checked(h * q * 2 + h * kv * 2 + (AttentionBias ? q + kv * 2 : 0) + (AttentionOutputBias ? h : 0)
                    + (GatedMlp ? 3 : 2) * h * f + (MlpBias ? f * (GatedMlp ? 2 : 1) + h : 0)
                    + (Norm == NormKind.LayerNorm ? 4 * h : 2 * h));
            }
        }

        /// <summary>Weight elements outside the layers: embeddings, positions, final norm, untied head.</summary>
        public long OuterWeightElements
        {
            get
            {
                long h = Hidden;
                return checked(Vocab * h
                    + (Architecture == Architecture.Opt ? ((long)MaxPositions + PositionOffset) * h : 0)
                    + (Norm == NormKind.LayerNorm ? 2 * h : h)
                    + (TiedEmbeddings ? 0 : Vocab * h));
            }
        }

        /// <summary>OPT conventions: pre-LayerNorm, ReLU, biases everywhere, learned positions, tied head.</summary>
        public static ModelSpec Opt(string name, int hidden, int layers, int heads, int ffnHidden, int vocab = 50272, int maxPositions = 2048) => new()
        {
            Name = name,
            Architecture = Architecture.Opt,
            Hidden = hidden,
            Layers = layers,
            Heads = heads,
            KvHeads = heads,
            FfnHidden = ffnHidden,
            Vocab = vocab,
            MaxPositions = maxPositions,
            Norm = NormKind.LayerNorm,
            NormEps = 1e-5,
            Activation = Activation.Relu,
            GatedMlp = false,
            RopeTheta = 0,
            AttentionBias = true,
            AttentionOutputBias = true,
            MlpBias = true,
            TiedEmbeddings = true,
        };

        /// <summary>Llama conventions: RMSNorm, SiLU-gated MLP, RoPE, no biases, untied head.</summary>
        public static ModelSpec Llama(string name, int hidden, int layers, int heads, int kvHeads, int ffnHidden, int vocab = 32000, int maxPositions = 4096,
            double normEps = 1e-5, double ropeTheta = 10000, bool tiedEmbeddings = false) => new()
        {
            Name = name,
            Architecture = Architecture.Llama,
            Hidden = hidden,
            Layers = layers,
            Heads = heads,
            KvHeads = kvHeads,
            FfnHidden = ffnHidden,
            Vocab = vocab,
            MaxPositions = maxPositions,
            Norm = NormKind.RmsNorm,
            NormEps = normEps,
            Activation = Activation.Silu,
            GatedMlp = true,
            RopeTheta = ropeTheta,
            AttentionBias = false,
            AttentionOutputBias = false,
            MlpBias = false,
            TiedEmbeddings = tiedEmbeddings,
        };

        /// <summary>Mistral conventions: Llama's, with a sliding attention window (Hugging Face's MistralConfig defaults).</summary>
        public static ModelSpec Mistral(string name, int hidden, int layers, int heads, int kvHeads, int ffnHidden, int vocab = 32000, int maxPositions = 131072,
            double normEps = 1e-6, double ropeTheta = 10000, int slidingWindow = 4096) =>
            Llama(name, hidden, layers, heads, kvHeads, ffnHidden, vocab, maxPositions, normEps, ropeTheta) with
            {
                Architecture = Architecture.Mistral,
                SlidingWindow = slidingWindow,
            };

        /// <summary>Qwen2 conventions: Llama's, with biases on q, k and v (Hugging Face's Qwen2Config defaults; the smaller Qwen2.5 sizes tie the head).</summary>
        public static ModelSpec Qwen2(string name, int hidden, int layers, int heads, int kvHeads, int ffnHidden, int vocab = 151936, int maxPositions = 32768,
            double normEps = 1e-6, double ropeTheta = 10000, bool tiedEmbeddings = false) =>
            Llama(name, hidden, layers, heads, kvHeads, ffnHidden, vocab, maxPositions, normEps, ropeTheta, tiedEmbeddings) with
            {
                Architecture = Architecture.Qwen2,
                AttentionBias = true,
            };

        /// <summary>
        /// Every problem with this spec, each naming the field, its value and what is accepted (<see cref="ModelLimits"/>);
        /// empty when the toolkit can compile it. Sizes derived from a valid spec fit a long; on an invalid one they throw
        /// <see cref="System.OverflowException"/> rather than wrap around.
        /// </summary>
        public IReadOnlyList<SpecError> Validate()
        {
            var errors = new List<SpecError>();
            void InRange(string field, double value, ValueRange range, string code = ErrorCodes.InvalidDimension)
            {
                if (!range.Contains(value))
                    errors.Add(new SpecError(code, field, $"{field} must be in {range}, but is {ValueRange.Format(value)}."));
            }

            InRange(nameof(Hidden), Hidden, ModelLimits.Hidden);
            InRange(nameof(Layers), Layers, ModelLimits.Layers);
            InRange(nameof(Heads), Heads, ModelLimits.Heads);
            InRange(nameof(KvHeads), KvHeads, ModelLimits.Heads);
            InRange(nameof(FfnHidden), FfnHidden, ModelLimits.FfnHidden);
            InRange(nameof(Vocab), Vocab, ModelLimits.Vocab);
            InRange(nameof(MaxPositions), MaxPositions, ModelLimits.MaxPositions);
            InRange(nameof(NormEps), NormEps, ModelLimits.NormEps, ErrorCodes.InvalidValue);
            if (Architecture != Architecture.Opt)
                InRange(nameof(RopeTheta), RopeTheta, ModelLimits.RopeTheta, ErrorCodes.InvalidValue);

            if (HasExplicitHeadDim || Hidden > 0 && Heads > 0 && Hidden % Heads == 0)
            {
                if (Heads > 0 && !IsSupportedHeadDim(HeadDim))
                    errors.Add(new SpecError(ErrorCodes.UnsupportedHeadDim, HasExplicitHeadDim ? nameof(HeadDim) : nameof(Heads),
                        $"Head dimension {(HasExplicitHeadDim ? "" : "Hidden / Heads = ")}{HeadDim} is not supported by the attention kernels: use a multiple of {HeadDimMultiple} from {HeadDimMultiple} to {MaxHeadDim}."));
            }
            else if (Hidden > 0 && Heads > 0)
                errors.Add(new SpecError(ErrorCodes.HeadsDoNotDivideHidden, nameof(Heads),
                    $"Heads ({Heads}) must divide Hidden ({Hidden}) so that every head has the same dimension."));
            if (Heads > 0 && KvHeads > 0 && Heads % KvHeads != 0)
                errors.Add(new SpecError(ErrorCodes.KvHeadsDoNotDivideHeads, nameof(KvHeads),
                    $"KvHeads ({KvHeads}) must divide Heads ({Heads}) so that each KV head serves the same number of query heads."));
            if (Architecture == Architecture.Opt && KvHeads != Heads)
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(KvHeads), $"OPT models use multi-head attention: KvHeads ({KvHeads}) must equal Heads ({Heads})."));
            ValidateRopeScaling(errors);
            if (SlidingWindow < 0)
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(SlidingWindow), $"SlidingWindow must be 0 (the whole context) or a positive number of tokens, but is {SlidingWindow}."));
            else if (SlidingWindow > ModelLimits.MaxPositions.Max)
                InRange(nameof(SlidingWindow), SlidingWindow, ModelLimits.MaxPositions with { Min = 0 }, ErrorCodes.InvalidValue);
            else if (SlidingWindow > 0 && Architecture == Architecture.Opt)
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(SlidingWindow), "OPT models attend to the whole context: SlidingWindow must be 0."));
            return errors;
        }

        /// <summary>The scaling's parameters as Hugging Face checks them; a parameter the scaling does not use must stay 0.</summary>
        private void ValidateRopeScaling(List<SpecError> errors)
        {
            void Unused(string field, double value)
            {
                if (value != 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidValue, field, $"{field} is {value}, but RopeScaling {RopeScaling} does not use it: leave it 0."));
            }

            if (RopeScaling != RopeScaling.None && Architecture == Architecture.Opt)
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(RopeScaling), "OPT models use learned positions: RopeScaling must be None."));
            if (RopeScaling == RopeScaling.None)
                Unused(nameof(RopeScalingFactor), RopeScalingFactor);
            else if (!(RopeScalingFactor >= 1 && RopeScalingFactor <= ModelLimits.RopeScalingFactor.Max))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(RopeScalingFactor),
                    $"RopeScalingFactor must be in [1, {ValueRange.Format(ModelLimits.RopeScalingFactor.Max)}] for {RopeScaling} scaling, but is {RopeScalingFactor}."));

            if (RopeScaling != RopeScaling.Llama3)
            {
                Unused(nameof(RopeLowFrequencyFactor), RopeLowFrequencyFactor);
                Unused(nameof(RopeHighFrequencyFactor), RopeHighFrequencyFactor);
                Unused(nameof(RopeOriginalMaxPositions), RopeOriginalMaxPositions);
                return;
            }
            if (!ModelLimits.RopeScalingFactor.Contains(RopeLowFrequencyFactor))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(RopeLowFrequencyFactor), $"RopeLowFrequencyFactor must be in {ModelLimits.RopeScalingFactor}, but is {RopeLowFrequencyFactor}."));
            if (!(RopeHighFrequencyFactor > RopeLowFrequencyFactor && RopeHighFrequencyFactor <= ModelLimits.RopeScalingFactor.Max))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(RopeHighFrequencyFactor),
                    $"RopeHighFrequencyFactor ({RopeHighFrequencyFactor}) must be greater than RopeLowFrequencyFactor ({RopeLowFrequencyFactor})."));
            if (!ModelLimits.MaxPositions.Contains(RopeOriginalMaxPositions))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(RopeOriginalMaxPositions), $"RopeOriginalMaxPositions must be in {ModelLimits.MaxPositions}, but is {RopeOriginalMaxPositions}."));
        }

        /// <summary>Head dimensions the attention kernels are written for.</summary>
        public static bool IsSupportedHeadDim(int headDim) => headDim >= HeadDimMultiple && headDim <= MaxHeadDim && headDim % HeadDimMultiple == 0;

        public const int HeadDimMultiple = 8;
        public const int MaxHeadDim = 256;
    }
}
