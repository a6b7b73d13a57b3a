using System;
using System.Text;

namespace Kvpr.Kernels.Emission
{
    /// <summary>The model's dimensions and numerics as named constexprs, so kernels read like the math.</summary>
    internal static class ModelConstants
    {
        public static void Emit(ModelSpec spec, AttentionTiling tiling, CudaSourceBuilder source)
        {
            var text = new StringBuilder();
            void Line(string declaration, string comment) => text.Append(comment.Length == 0 ? declaration : (declaration + " ").PadRight(56) + "// " + comment).Append('\n');

            Line($"constexpr int HIDDEN = {CudaLiteral.Int(spec.Hidden)};", "model width");
            Line($"constexpr int HEADS = {CudaLiteral.Int(spec.Heads)};", "query heads");
            Line($"constexpr int KV_HEADS = {CudaLiteral.Int(spec.KvHeads)};", "key/value heads");
            Line("constexpr int HEAD_DIM = HIDDEN / HEADS;", CudaLiteral.Int(spec.HeadDim));
            Line("constexpr int KV_DIM = KV_HEADS * HEAD_DIM;", "width of one token's K (and V)");
            Line("constexpr int GROUP_SIZE = HEADS / KV_HEADS;", "query heads sharing one KV head (query head h reads KV head h / GROUP_SIZE)");
            Line("constexpr int QKV_WIDTH = HIDDEN + 2 * KV_DIM;", "row of the fused projection q | k | v");
            Line($"constexpr int FFN = {CudaLiteral.Int(spec.FfnHidden)};", "MLP hidden width");
            Line($"constexpr int VOCAB = {CudaLiteral.Int(spec.Vocab)};", "vocabulary size");
            Line($"constexpr float NORM_EPS = {CudaLiteral.Float(spec.NormEps)};", spec.Norm == NormKind.LayerNorm ? "LayerNorm epsilon" : "RMSNorm epsilon");
            Line($"constexpr float Q_SCALE = {CudaLiteral.Float(1 / Math.Sqrt(spec.HeadDim))};", "1 / sqrt(HEAD_DIM), applied to q");
            if (spec.UsesLearnedPositions())
                Line($"constexpr int POSITION_OFFSET = {CudaLiteral.Int(spec.PositionOffset)};", "position p uses row p + POSITION_OFFSET of the learned table");
            if (spec.SlidingWindow > 0)
                Line($"constexpr int SLIDING_WINDOW = {CudaLiteral.Int(spec.SlidingWindow)};", "a query attends to the last SLIDING_WINDOW positions, its own included");
            text.Append('\n');
            Line($"constexpr int ROW_THREADS = {CudaLiteral.Int(LaunchConstants.RowThreads)};", "block of the kernels over token rows");
            Line($"constexpr int COLUMNS_PER_THREAD = {CudaLiteral.Int(LaunchConstants.ColumnsPerThread)};", "columns of a row a thread of an elementwise kernel handles");
            Line("constexpr int ROW_TILE = ROW_THREADS * COLUMNS_PER_THREAD;", "columns of a row one elementwise block covers");
            Line($"constexpr int NORM_THREADS = {CudaLiteral.Int(LaunchConstants.NormThreads)};", "block of normalize (a block per row)");
            Line($"constexpr int ATTENTION_THREADS = {CudaLiteral.Int(LaunchConstants.AttentionThreads)};", "block of the attention kernels");
            Line("constexpr int ATTENTION_WARPS = ATTENTION_THREADS / 32;", "");
            bool mma = tiling.PrefillUsesMma;
            if (!mma)
            {
                Line($"constexpr int ATTENTION_TILE = {CudaLiteral.Int(LaunchConstants.AttentionTile)};", "tokens a prefill attention block scores per pass");
                Line($"constexpr int HEADS_PER_BLOCK = {CudaLiteral.Int(tiling.HeadsPerBlock)};", "query heads one prefill attention block serves (they share a KV head)");
            }
            Line($"constexpr int DECODE_HEADS_PER_BLOCK = {CudaLiteral.Int(tiling.DecodeHeadsPerBlock)};", "query heads one decode attention block serves (they share a KV head)");
            if (mma)
            {
                Line($"constexpr int MMA_QUERIES = {CudaLiteral.Int(LaunchConstants.MmaQueries)};", "query tokens one prefill_attention_mma block serves, 16 a warp");
                Line($"constexpr int MMA_KEYS = {CudaLiteral.Int(tiling.MmaKeys)};", "keys it takes a tile: the largest of 64, 32, 16 that fits 48 KB");
            }
            else
                Line($"constexpr int PREFILL_QUERIES = {CudaLiteral.Int(tiling.PrefillQueries)};", "query tokens one prefill attention block serves");
            Line($"constexpr int SAMPLING_THREADS = {CudaLiteral.Int(LaunchConstants.SamplingThreads)};", "block of the vocabulary scans");
            text.Append('\n');
            text.Append("static_assert(HIDDEN % HEADS == 0 && HEADS % KV_HEADS == 0 && HEAD_DIM % 2 == 0, \"heads must tile the model\");\n");
            text.Append(mma
                ? "static_assert(GROUP_SIZE % DECODE_HEADS_PER_BLOCK == 0, \"an attention block serves query heads of one KV head\");\n"
                : "static_assert(GROUP_SIZE % HEADS_PER_BLOCK == 0 && GROUP_SIZE % DECODE_HEADS_PER_BLOCK == 0, \"an attention block serves query heads of one KV head\");\n");
            source.Section("Model constants");
            source.Code(text.ToString());
        }
    }
}
