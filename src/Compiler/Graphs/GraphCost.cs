using System;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// A node's work and time in a step of a given shape, priced by the planner's <see cref="CostModel"/>
    /// so that simulating a graph and predicting a step agree on what each copy and kernel costs.
    /// </summary>
    public sealed class GraphCost
    {
        private readonly CostModel _costs;
        private readonly int _ranks;

        /// <summary>Prices the nodes of <paramref name="graph"/>, run by its <see cref="ExecutionGraph.Ranks"/> tensor-parallel ranks.</summary>
        public GraphCost(CostModel costs, ExecutionGraph graph)
        {
            _costs = costs ?? throw new ArgumentNullException(nameof(costs));
            _ranks = (graph ?? throw new ArgumentNullException(nameof(graph))).Ranks;
        }

        private ModelSpec Spec => _costs.Spec;

        /// <summary>Bytes and FLOPs of the node in a step of this shape; <see cref="NodeWork.None"/> when it is a no-op.</summary>
        public NodeWork Work(GraphNode node, StepShape shape)
        {
            if (node.IsNoOpFor(shape))
                return NodeWork.None;
            long b = shape.Batch, h = Spec.Hidden, q = Spec.QueryDim, kv = Spec.KvDim, f = Spec.FfnHidden, p = Spec.ElementBytes;
            int tokens = node.Tokens.Count(shape);
            long mlpMatrices = Spec.GatedMlp ? 3 : 2;
            switch (node.Op)
            {
                case OpKind.Embed:
                    return new NodeWork(b * h * p * (Spec.Architecture == Architecture.Opt ? 2 : 1), 0);
                case OpKind.LoadWeights:
                    return new NodeWork(PieceBytes(node.Part), 0);
                case OpKind.LoadActivations:
                    return new NodeWork(_costs.ActivationBytes(shape.Batch, tokens), 0);
                case OpKind.LoadKv:
                    return new NodeWork(_costs.KvBytes(shape.Batch, tokens), 0);
                case OpKind.RecomputeKv:
                    return new NodeWork(_costs.ActivationBytes(shape.Batch, tokens) + _costs.KvBytes(shape.Batch, tokens) + 2 * h * kv * p,
                        (long)_costs.RecomputeFlops(shape.Batch, tokens));
                case OpKind.AttentionBlock:
                    long context = shape.Length + 1L;
                    return new NodeWork((2 * h * q + 2 * h * kv) * p + _costs.KvBytes(shape.Batch, shape.Length + 1),
                        2 * b * h * (q + 2 * kv) + 2 * b * q * h + 4 * b * q * context);
                case OpKind.QkvProjection:
                    return new NodeWork((h * q + 2 * h * kv) * p, 2 * b * h * (q + 2 * kv));
                case OpKind.HostAttention:
                    return new NodeWork(_costs.KvBytes(shape.Batch, tokens), 4L * b * q * tokens);
                case OpKind.AttentionOutput:
                    long deviceContext = shape.HostStart + 1L;
                    return new NodeWork(q * h * p + _costs.KvBytes(shape.Batch, shape.HostStart + 1),
                        2 * b * q * h + 4 * b * q * deviceContext);
                case OpKind.MlpBlock:
                    return new NodeWork(mlpMatrices * h * f * p, 2 * b * h * f * mlpMatrices);
                case OpKind.StoreNewToken:
                    return new NodeWork(_costs.WriteBackBytes(shape.Batch), 0);
                case OpKind.FinalNormAndHead:
                    return new NodeWork(Spec.Vocab * h * p, 2 * b * h * Spec.Vocab);
                case OpKind.AllReduce:
                    // What one rank sends: 2(N − 1)/N of the hidden state; it adds the half it receives in the reduce-scatter.
                    long sent = _costs.AllReduceSentBytes(b * tokens, _ranks);
                    return new NodeWork(sent, sent / (2 * p));
                default:
                    throw new ArgumentOutOfRangeException(nameof(node), node.Op, "Unknown op.");
            }
        }

        /// <summary>How long the node runs in a step of this shape once it started; 0 for a no-op.</summary>
        public double Seconds(GraphNode node, StepShape shape)
        {
            if (node.IsNoOpFor(shape))
                return 0;
            int tokens = node.Tokens.Count(shape);
            switch (node.Op)
            {
                case OpKind.Embed:
                    return 0; // the cost model charges the embedding's launch with the head (OuterComputeSeconds)
                case OpKind.LoadWeights:
                    return _costs.TransferSeconds(PieceBytes(node.Part));
                case OpKind.LoadActivations:
                    return _costs.TransferSeconds(_costs.ActivationBytes(shape.Batch, tokens));
                case OpKind.LoadKv:
                    return _costs.KvTransferSeconds(shape.Batch, tokens);
                case OpKind.RecomputeKv:
                    return _costs.RecomputeSeconds(shape.Batch, tokens);
                case OpKind.AttentionBlock:
                    return _costs.LayerComputeSeconds(shape.Batch, shape.Length) - MlpSeconds(shape.Batch);
                case OpKind.QkvProjection:
                    return QkvSeconds(shape.Batch);
                case OpKind.HostAttention:
                    return _costs.HostAttentionSeconds(shape.Batch, tokens);
                case OpKind.AttentionOutput:
                    // The layer's compute with attention over the tokens the GPU holds (l₂ of them and the new one).
                    return _costs.LayerComputeSeconds(shape.Batch, shape.HostStart) - MlpSeconds(shape.Batch) - QkvSeconds(shape.Batch);
                case OpKind.MlpBlock:
                    return MlpSeconds(shape.Batch);
                case OpKind.StoreNewToken:
                    return _costs.WriteBackSeconds(shape.Batch);
                case OpKind.FinalNormAndHead:
                    return _costs.OuterComputeSeconds(shape.Batch);
                case OpKind.AllReduce:
                    return _costs.AllReduceSeconds((long)shape.Batch * tokens, _ranks);
                default:
                    throw new ArgumentOutOfRangeException(nameof(node), node.Op, "Unknown op.");
            }
        }

        private long PieceBytes(WeightPart part)
        {
            var (start, end) = part.Range(Spec.LayerWeightElements);
            return (end - start) * Spec.ElementBytes;
        }

        /// <summary>The QKV projection's share of <see cref="CostModel.LayerComputeSeconds"/>: its GEMM at M = b.</summary>
        private double QkvSeconds(int batch) => _costs.Settings.ChargeLayerCompute
            ? _costs.GemmSeconds(batch, Spec.Hidden, Spec.QueryDim + 2.0 * Spec.KvDim)
            : 0;

        /// <summary>
        /// The MLP's share of <see cref="CostModel.LayerComputeSeconds"/> (its up/gate and down GEMMs at M = b),
        /// priced here because the cost model only gives the whole layer; the attention block gets the rest.
        /// </summary>
        private double MlpSeconds(int batch)
        {
            if (!_costs.Settings.ChargeLayerCompute)
                return 0;
            int h = Spec.Hidden, f = Spec.FfnHidden;
            return _costs.GemmSeconds(batch, h, (Spec.GatedMlp ? 2.0 : 1.0) * f) + _costs.GemmSeconds(batch, f, h);
        }
    }
}
