using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Kvpr.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Cli.Batch
{
    /// <summary>
    /// The work of <c>kvpr generate</c>: reads every request, writes an error record for each line it cannot run,
    /// buckets the rest by prompt length and sampling, and decodes each bucket in batches sized by
    /// <see cref="BatchPlanner"/>, writing each result as its sequence finishes. Requests already in the output are
    /// skipped, so a rerun after a kill or Ctrl-C finishes the job; greedy results do not depend on the batching.
    /// </summary>
    internal sealed class BatchJob
    {
        private readonly ModelSpec _spec;
        private readonly TextTokenizer? _tokenizer;
        private readonly int _maxNewTokens;

        public BatchJob(ModelSpec spec, TextTokenizer? tokenizer, int maxNewTokens)
        {
            _spec = spec;
            _tokenizer = tokenizer;
            _maxNewTokens = maxNewTokens;
        }

        /// <summary>A request that can run, with its prompt's ids.</summary>
        public sealed record Pending(BatchRequest Request, int[] PromptIds)
        {
            public int MaxNewTokens(int byDefault) => Request.MaxNewTokens ?? byDefault;
        }

        /// <summary>
        /// The input's runnable requests not yet in <paramref name="output"/>; every other line not yet there gets
        /// its error record now.
        /// </summary>
        public List<Pending> ReadRequests(string inputPath, BatchOutput output)
        {
            var pending = new List<Pending>();
            var seen = new Dictionary<string, int>();
            int number = 0;
            foreach (string line in File.ReadLines(inputPath))
            {
                number++;
                if (line.Trim().Length == 0 || output.DoneLines.Contains(number))
                    continue;
                try
                {
                    var request = BatchRequest.Parse(line, number);
                    if (output.DoneIds.Contains(request.Key))
                        continue;
                    if (seen.TryGetValue(request.Key, out int first))
                        throw new BatchLineException(null, $"repeats the id {request.Key} of line {first}");
                    seen[request.Key] = number;
                    pending.Add(new Pending(request, PromptIds(request)));
                }
                catch (BatchLineException e)
                {
                    if (e.Id is null || !output.DoneIds.Contains(e.Id.ToJsonString()))
                        output.WriteError(e.Id, number, $"line {number} {e.Message}.");
                }
            }
            return pending;
        }

        /// <summary>The requests in batches: bucketed by prompt length and sampling (in order of first appearance), each bucket cut into batches of the planned size.</summary>
        public IEnumerable<Pending[]> Batches(IReadOnlyList<Pending> pending, BatchPlanner planner)
        {
            foreach (var bucket in pending.GroupBy(p => (p.PromptIds.Length, p.Request.Sampling)))
            {
                var requests = bucket.ToArray();
                int size = planner.BatchSize(requests.Length, bucket.Key.Length, requests.Max(p => p.MaxNewTokens(_maxNewTokens)));
                for (int start = 0; start < requests.Length; start += size)
                    yield return requests[start..Math.Min(start + size, requests.Length)];
            }
        }

        /// <summary>Decodes one batch, writing each result as its sequence finishes.</summary>
        /// <exception cref="OperationCanceledException">Cancelled; the results of sequences that finished are written.</exception>
        public void Run(TextGenerator generator, Pending[] batch, TextGenerationOptions options, BatchOutput output, BatchProgress progress, CancellationToken cancellationToken)
        {
            var requests = batch.Select(p => new TextRequest(p.PromptIds) { MaxNewTokens = p.MaxNewTokens(_maxNewTokens), Stop = p.Request.Stop }).ToArray();
            generator.Generate(requests, options with { Sampling = batch[0].Request.Sampling }, cancellationToken, onFinished: completion =>
            {
                output.WriteResult(batch[completion.Index].Request, completion, _tokenizer);
                progress.Finished(completion.TokenIds.Length);
            });
            progress.BatchDone();
        }

        /// <summary>The prompt's ids, checked against the model so one bad request cannot stop its batch.</summary>
        private int[] PromptIds(BatchRequest request)
        {
            int[] ids = request.PromptIds ?? (_tokenizer ?? throw new BatchLineException(request.Id, "has a text \"prompt\", but the checkpoint has no tokenizer; give \"prompt_ids\""))
                .Encode(request.Prompt!);
            if (ids.Length == 0)
                throw new BatchLineException(request.Id, "has an empty prompt; every sequence needs at least one token");
            if (ids.FirstOrDefault(id => id >= _spec.Vocab) is var outside && outside >= _spec.Vocab)
                throw new BatchLineException(request.Id, $"has token id {outside}, outside the vocabulary [0, {_spec.Vocab}) of {_spec.Name}");
            int maxNewTokens = request.MaxNewTokens ?? _maxNewTokens;
            if ((long)ids.Length + maxNewTokens > _spec.MaxPositions)
                throw new BatchLineException(request.Id, $"has a prompt of {ids.Length} tokens, which with {maxNewTokens} new tokens exceeds the {_spec.MaxPositions} positions of {_spec.Name}");
            return ids;
        }
    }
}
