using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Kvpr.Text
{
    /// <summary>
    /// Text in, text out over an <see cref="Engine"/>: encodes prompts with the checkpoint's tokenizer, stops each
    /// sequence at its end-of-sequence ids, its stop strings or its own token limit, and decodes what it generated.
    /// The engine decodes the batch; this layer only watches each token as it is picked.
    /// </summary>
    public sealed class TextGenerator
    {
        /// <param name="tokenizer">The checkpoint's tokenizer; null for a checkpoint without one (ids in and out, no text, no stop strings).</param>
        /// <param name="eosTokenIds">End-of-sequence ids (generation_config.json's); empty for the tokenizer's eos_token.</param>
        public TextGenerator(Engine engine, TextTokenizer? tokenizer, IReadOnlyList<int>? eosTokenIds = null)
        {
            Engine = engine ?? throw new ArgumentNullException(nameof(engine));
            Tokenizer = tokenizer;
            EosTokenIds = eosTokenIds is { Count: > 0 } ? eosTokenIds.ToArray()
                : tokenizer?.EndOfSequenceId is { } eos ? new[] { eos } : Array.Empty<int>();
        }

        public Engine Engine { get; }

        public TextTokenizer? Tokenizer { get; }

        public IReadOnlyList<int> EosTokenIds { get; }

        /// <summary>Continues each prompt (encoded with the checkpoint's special tokens) and returns the texts in order.</summary>
        /// <exception cref="InvalidOperationException">The generator has no tokenizer.</exception>
        public TextGenerationResult Generate(IReadOnlyList<string> prompts, TextGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var tokenizer = Tokenizer ?? throw new InvalidOperationException("Text prompts need a tokenizer; this generator has none.");
            return Generate(prompts.Select(prompt => new TextRequest(tokenizer.Encode(prompt))).ToArray(), options, cancellationToken);
        }

        /// <summary>
        /// Continues every request in one engine call. <paramref name="onText"/> gets each sequence's settled text as it
        /// grows (for streaming); <paramref name="onFinished"/> gets each completion as soon as its sequence stops.
        /// </summary>
        /// <exception cref="ArgumentException">A prompt is empty, has an id outside the model's vocabulary, or is too long for the model.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked between steps).</exception>
        public TextGenerationResult Generate(IReadOnlyList<TextRequest> requests, TextGenerationOptions? options = null, CancellationToken cancellationToken = default,
            IProgress<StepStatistics>? progress = null, Action<int, string>? onText = null, Action<TextCompletion>? onFinished = null)
        {
            ArgumentNullException.ThrowIfNull(requests);
            options ??= TextGenerationOptions.Default;
            if (Tokenizer is null && (options.StopStrings.Count > 0 || requests.Any(request => request.Stop.Count > 0)))
                throw new ArgumentException("Stop strings need a tokenizer to find the text in; this generator has none.", nameof(options));
            if (requests.FirstOrDefault(request => (request.MaxNewTokens ?? options.MaxNewTokens) < 1) is { } tooShort)
                throw new ArgumentOutOfRangeException(nameof(requests), tooShort.MaxNewTokens ?? options.MaxNewTokens, "Every request must generate at least 1 token.");
            var sequences = requests.Select(request => new SequenceText(Tokenizer, options.StopStrings.Concat(request.Stop).ToArray(), EosTokenIds,
                request.MaxNewTokens ?? options.MaxNewTokens, streamed: onText is not null)).ToArray();
            var generation = new GenerationOptions
            {
                MaxNewTokens = requests.Count == 0 ? options.MaxNewTokens : requests.Max(request => request.MaxNewTokens ?? options.MaxNewTokens),
                Sampling = options.Sampling,
                EosTokenIds = EosTokenIds,
                OnToken = (sequence, token) =>
                {
                    var text = sequences[sequence];
                    bool finished = text.Add(token);
                    if (onText is not null && text.TakeSettled() is { Length: > 0 } delta)
                        onText(sequence, delta);
                    if (finished)
                        onFinished?.Invoke(text.ToCompletion(sequence, requests[sequence].PromptIds.Length));
                    return finished;
                },
            };
            var result = Engine.Generate(requests.Select(request => request.PromptIds).ToArray(), generation, cancellationToken, progress);
            var completions = sequences.Select((text, index) => text.ToCompletion(index, requests[index].PromptIds.Length)).ToArray();
            return new TextGenerationResult(completions, result);
        }
    }
}
