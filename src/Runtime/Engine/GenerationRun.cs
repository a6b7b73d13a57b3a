using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Execution;
using Kvpr.Sampling;

namespace Kvpr
{
    /// <summary>
    /// The state of one <see cref="Engine.Generate"/> call: tokens so far, which sequences have stopped, the
    /// captured logits; runs a step, appends the new tokens to the host stores and picks the next tokens.
    /// </summary>
    internal sealed class GenerationRun
    {
        private readonly IDevice _device;
        private readonly ModelSpec _spec;
        private readonly GenerationOptions _options;
        private readonly GraphExecutor _executor;
        private readonly ILayerCompute _compute;
        private readonly MicroBatch[] _microBatches;
        private readonly IStream _readStream;
        private readonly List<int>[] _tokens;
        private readonly bool[] _stopped;
        private readonly List<float[]>[] _prefillLogits, _generatedLogits;
        private readonly HashSet<int> _eos;
        private readonly Sampler _sampler;
        private readonly int[] _sequenceIds;
        private readonly int[][] _lastTokens;
        private readonly int[] _picked;
        // Greedy decoding without captured logits picks on the device: only the token ids come back.
        private readonly bool _greedyOnDevice;
        private float[] _logits = Array.Empty<float>();

        /// <param name="sequenceIds">Each sequence's index among all of the call's prompts: its sampler stream.</param>
        public GenerationRun(IDevice device, ModelSpec spec, int[] sequenceIds, Sampler sampler, GenerationOptions options, GraphExecutor executor, ILayerCompute compute,
            MicroBatch[] microBatches)
        {
            int sequences = sequenceIds.Length;
            _device = device;
            _spec = spec;
            _options = options;
            _executor = executor;
            _compute = compute;
            _microBatches = microBatches;
            _readStream = device.CreateStream();
            _tokens = Enumerable.Range(0, sequences).Select(_ => new List<int>(options.MaxNewTokens)).ToArray();
            _stopped = new bool[sequences];
            _prefillLogits = Enumerable.Range(0, sequences).Select(_ => new List<float[]>()).ToArray();
            _generatedLogits = Enumerable.Range(0, sequences).Select(_ => new List<float[]>()).ToArray();
            _sampler = sampler;
            _sequenceIds = sequenceIds;
            _lastTokens = microBatches.Select(batch => new int[batch.Sequences]).ToArray();
            _picked = new int[microBatches.Max(batch => batch.Sequences)];
            _greedyOnDevice = options.Sampling.IsGreedy && !options.CaptureLogits;
            _eos = options.StopOnEos ? new HashSet<int>(options.EosTokenIds) : new HashSet<int>();
        }

        /// <summary>Whether every sequence has stopped, at an end-of-sequence token or at the token limit.</summary>
        public bool Finished => Array.IndexOf(_stopped, false) < 0;

        public int[][] Tokens => _tokens.Select(t => t.ToArray()).ToArray();

        public CapturedLogits? Logits => _options.CaptureLogits ? new CapturedLogits(_prefillLogits, _generatedLogits) : null;

        /// <summary>Each micro-batch's latest tokens, the input of the next decode step (the same arrays every step: Embed stages them before it returns).</summary>
        public IReadOnlyList<int>[] LastTokens()
        {
            for (int m = 0, sequence = 0; m < _microBatches.Length; m++)
                for (int s = 0; s < _lastTokens[m].Length; s++, sequence++)
                    _lastTokens[m][s] = _tokens[sequence][^1];
            return _lastTokens;
        }

        /// <summary>A decode step: one new token per sequence.</summary>
        public StepStatistics Step(int step, StepInputs inputs) => Step(step, [inputs]);

        /// <summary>
        /// A step in parts run one after another (the prefill in chunks of the prompt, each attending to the chunks
        /// before it); the next tokens are picked after the last part. Bytes and times are the parts' sums; a recorded
        /// step's timeline holds every part's nodes.
        /// </summary>
        public StepStatistics Step(int step, IReadOnlyList<StepInputs> parts)
        {
            long hostToDevice = 0, deviceToHost = 0;
            var times = PhaseTimes.Zero;
            var timelines = new List<StepTimeline>();
            for (int part = 0; part < parts.Count; part++)
            {
                var inputs = parts[part];
                foreach (var batch in _microBatches)
                    batch.HostToDeviceElements = batch.DeviceToHostElements = 0;
                var (partTimes, partTimeline) = _executor.Run(inputs, record: step >= _options.TimelineFirstStep);
                foreach (var batch in _microBatches)
                {
                    batch.Store.Append(inputs.NewTokens);
                    hostToDevice += batch.HostToDeviceElements;
                    deviceToHost += batch.DeviceToHostElements;
                }
                times = new PhaseTimes(times.Transfer + partTimes.Transfer, times.Recompute + partTimes.Recompute, times.Compute + partTimes.Compute, TimeSpan.Zero)
                    { DeviceWait = times.DeviceWait + partTimes.DeviceWait };
                if (partTimeline is not null)
                    timelines.Add(partTimeline);
                if (part < parts.Count - 1)
                    CaptureLogits(inputs);
            }

            long start = Stopwatch.GetTimestamp();
            var last = parts[^1];
            PickNextTokens(step, last);
            return new StepStatistics(step, parts[0].Length, _tokens.Length, last.RecomputeTokens,
                hostToDevice * _device.ElementBytes, deviceToHost * _device.ElementBytes,
                times with { Sampling = Stopwatch.GetElapsedTime(start) }) { Timeline = timelines.Count > 0 ? StepTimeline.Merge(timelines) : null };
        }

        /// <summary>The logits of every new token of a part that picks no token (a prefill chunk before the last), when they are captured.</summary>
        private void CaptureLogits(StepInputs inputs)
        {
            if (!_options.CaptureLogits || !inputs.LogitsForAllNewTokens)
                return;
            int vocab = _spec.Vocab, rows = inputs.NewTokens;
            for (int m = 0, sequence = 0; m < _microBatches.Length; m++)
            {
                var batch = _microBatches[m];
                var logits = HostLogits(checked(batch.Sequences * rows * vocab));
                _device.Read(_readStream, batch.Logits, 0, logits);
                for (int s = 0; s < batch.Sequences; s++, sequence++)
                    AddPrefillRows(sequence, logits, s, rows);
            }
        }

        /// <summary>Captures sequence <paramref name="s"/>'s <paramref name="rows"/> logit rows of a micro-batch's logits as prefill logits.</summary>
        private void AddPrefillRows(int sequence, Span<float> logits, int s, int rows)
        {
            int vocab = _spec.Vocab;
            for (int row = 0; row < rows; row++)
                _prefillLogits[sequence].Add(logits.Slice((s * rows + row) * vocab, vocab).ToArray());
        }

        private void PickNextTokens(int step, StepInputs inputs)
        {
            int vocab = _spec.Vocab, rows = inputs.LogitsForAllNewTokens ? inputs.NewTokens : 1;
            for (int m = 0, sequence = 0; m < _microBatches.Length; m++)
            {
                var batch = _microBatches[m];
                Span<float> logits = default;
                if (_greedyOnDevice)
                {
                    _compute.PickGreedy(_readStream, batch, _picked.AsSpan(0, batch.Sequences));
                    int unpickable = Array.IndexOf(_picked, -1, 0, batch.Sequences);
                    if (unpickable >= 0)
                        throw UnpickableLogits(step, batch, sequence, unpickable);
                }
                else
                {
                    logits = HostLogits(checked(batch.Sequences * rows * vocab));
                    _device.Read(_readStream, batch.Logits, 0, logits);
                }
                for (int s = 0; s < batch.Sequences; s++, sequence++)
                {
                    if (_options.CaptureLogits && inputs.LogitsForAllNewTokens)
                        AddPrefillRows(sequence, logits, s, rows);
                    if (_stopped[sequence])
                        continue;
                    int token;
                    if (_greedyOnDevice)
                        token = _picked[s];
                    else
                    {
                        var last = logits.Slice((s * rows + rows - 1) * vocab, vocab);
                        if (_options.CaptureLogits)
                            _generatedLogits[sequence].Add(last.ToArray());
                        token = Sample(step, sequence, last);
                    }
                    _tokens[sequence].Add(token);
                    bool stopHere = _options.OnToken?.Invoke(_sequenceIds[sequence], token) ?? false;
                    _stopped[sequence] = stopHere || _eos.Contains(token) || _tokens[sequence].Count == _options.MaxNewTokens;
                }
            }
        }

        private int Sample(int step, int sequence, ReadOnlySpan<float> logits)
        {
            try
            {
                return _sampler.Next(_sequenceIds[sequence], logits);
            }
            catch (ArgumentException e) when (e.ParamName == "logits")
            {
                throw new InvalidLogitsException(step, _sequenceIds[sequence], WhyNoToken(logits));
            }
        }

        /// <summary>The device's greedy pick found no token in a sequence's row: the row, read back, names the logit.</summary>
        private InvalidLogitsException UnpickableLogits(int step, MicroBatch batch, int firstSequence, int index)
        {
            int vocab = _spec.Vocab;
            var logits = HostLogits(checked(batch.Sequences * vocab));
            _device.Read(_readStream, batch.Logits, 0, logits);
            return new InvalidLogitsException(step, _sequenceIds[firstSequence + index], WhyNoToken(logits.Slice(index * vocab, vocab)));
        }

        private static string WhyNoToken(ReadOnlySpan<float> logits) =>
            TokenDistribution.FirstUnpickable(logits) is var index and >= 0 ? $"logit {index} is {logits[index]}." : "every logit is -infinity.";

        /// <summary>A host buffer for <paramref name="elements"/> logits, kept across steps (a step's logits are megabytes).</summary>
        private Span<float> HostLogits(int elements)
        {
            if (_logits.Length < elements)
                _logits = new float[elements];
            return _logits.AsSpan(0, elements);
        }
    }
}
