using System;
using System.Linq;
using Kvpr.Text;

namespace Kvpr.Cli
{
    /// <summary>
    /// The prompts of <c>kvpr run</c>'s demo with the built-in model: windows of one passage, all of the same length,
    /// so that they decode together as one batch (the engine batches prompts of equal length), and long enough that
    /// the plan recomputes part of the KV cache.
    /// </summary>
    internal static class DemoPrompts
    {
        /// <summary>16 prompts of 192 tokens under the column schedule: the plan for the default profile then recomputes part of the KV.</summary>
        private const int Sequences = 16, PromptTokens = 192, WindowStep = 8;

        private const string Passage =
            "When a language model writes text, every new token looks back at all the tokens before it. " +
            "The keys and values of those tokens are kept in the KV cache, which grows with every sequence in the batch and every token of its context. " +
            "For long prompts and large batches the cache no longer fits in the memory of the GPU, so it is kept in the memory of the host, " +
            "and each decoding step must bring it back over the PCIe link. The link is slow compared with the GPU, and the GPU waits. " +
            "Partial recomputation trades some of that waiting for arithmetic: for the first tokens of each layer, only the inputs of the layer cross the link, " +
            "which is half the bytes of their keys and values, and the GPU computes the keys and values again while the rest of the cache streams in. " +
            "A planner measures the link and the GPU, and solves for how many tokens to recompute at each step, so that the transfer and the recomputation end together. " +
            "The tokens that come out are exactly those of decoding with the whole cache on the GPU; only the time changes. " +
            "This demo runs a tiny model with random weights on the CPU, so its words are random, but its plan and its byte counts are real.";

        public static (int[][] Ids, string[] Texts) For(TextTokenizer tokenizer)
        {
            var passage = tokenizer.Encode(Passage);
            if (passage.Length < PromptTokens + (Sequences - 1) * WindowStep)
                throw new InvalidOperationException($"The demo passage has {passage.Length} tokens, too few for {Sequences} prompts of {PromptTokens}.");
            var ids = Enumerable.Range(0, Sequences).Select(i => passage[(i * WindowStep)..(i * WindowStep + PromptTokens)]).ToArray();
            return (ids, ids.Select(window => tokenizer.Decode(window)).ToArray());
        }
    }
}
