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
        private readonly MicroBatch[] _microBatches;
        private readonly IStream _readStream;
        private readonly List<int>[] _tokens;
        private readonly bool[] _stopped;
        private readonly List<float[]>[] _prefillLogits, _generatedLogits;
        private readonly HashSet<int> _eos;
        private readonly Sampler _sampler;
        private readonly int[] _sequenceIds;

        /// <param name="sequenceIds">Each sequence's index among all of the call's prompts: its sampler stream.</param>
        public GenerationRun(IDevice device, ModelSpec spec, int[] sequenceIds, Sampler sampler, GenerationOptions options, GraphExecutor executor, MicroBatch[] microBatches)
        {
            int sequences = sequenceIds.Length;
            _device = device;
            _spec = spec;
            _options = options;
            _executor = executor;
            _microBatches = microBatches;
            _readStream = device.CreateStream();
            _tokens = Enumerable.Range(0, sequences).Select(_ => new List<int>()).ToArray();
            _stopped = new bool[sequences];
            _prefillLogits = Enumerable.Range(0, sequences).Select(_ => new List<float[]>()).ToArray();
            _generatedLogits = Enumerable.Range(0, sequences).Select(_ => new List<float[]>()).ToArray();
            _sampler = sampler;
            _sequenceIds = sequenceIds;
            _eos = options.StopOnEos ? new HashSet<int>(options.EosTokenIds) : new HashSet<int>();
        }

        /// <summary>Whether every sequence has stopped, at an end-of-sequence token or at the token limit.</summary>
        public bool Finished => _stopped.All(stopped => stopped);

        public int[][] Tokens => _tokens.Select(t => t.ToArray()).ToArray();

        public CapturedLogits? Logits => _options.CaptureLogits ? new CapturedLogits(_prefillLogits, _generatedLogits) : null;

        /// <summary>Each micro-batch's latest tokens, the input of the next decode step.</summary>
        public IReadOnlyList<int>[] LastTokens()
        {
            var result = new IReadOnlyList<int>[_microBatches.Length];
            for (int m = 0, first = 0; m < _microBatches.Length; first += _microBatches[m].Sequences, m++)
                result[m] = _tokens.Skip(first).Take(_microBatches[m].Sequences).Select(t => t[^1]).ToArray();
            return result;
        }

        public StepStatistics Step(int step, StepInputs inputs)
        {
            foreach (var batch in _microBatches)
                batch.HostToDeviceElements = batch.DeviceToHostElements = 0;
            var times = _executor.Run(inputs);
            foreach (var batch in _microBatches)
                batch.Store.Append(inputs.NewTokens);

            var clock = Stopwatch.StartNew();
            PickNextTokens(inputs);
            return new StepStatistics(step, inputs.Length, _tokens.Length, inputs.RecomputeTokens.ToArray(),
                _microBatches.Sum(b => b.HostToDeviceElements) * _device.ElementBytes,
                _microBatches.Sum(b => b.DeviceToHostElements) * _device.ElementBytes,
                times with { Sampling = clock.Elapsed });
        }

        private void PickNextTokens(StepInputs inputs)
        {
            int vocab = _spec.Vocab, rows = inputs.LogitsForAllNewTokens ? inputs.NewTokens : 1;
            for (int m = 0, sequence = 0; m < _microBatches.Length; m++)
            {
                var batch = _microBatches[m];
                var logits = new float[(long)batch.Sequences * rows * vocab];
                _device.Read(_readStream, batch.Logits, 0, logits);
                for (int s = 0; s < batch.Sequences; s++, sequence++)
                {
                    if (_options.CaptureLogits && inputs.LogitsForAllNewTokens)
                        for (int row = 0; row < rows; row++)
                            _prefillLogits[sequence].Add(logits.AsSpan((s * rows + row) * vocab, vocab).ToArray());
                    if (_stopped[sequence])
                        continue;
                    var last = logits.AsSpan((s * rows + rows - 1) * vocab, vocab);
                    if (_options.CaptureLogits)
                        _generatedLogits[sequence].Add(last.ToArray());
                    int token = _sampler.Next(_sequenceIds[sequence], last);
                    _tokens[sequence].Add(token);
                    _stopped[sequence] = _eos.Contains(token) || _tokens[sequence].Count == _options.MaxNewTokens;
                }
            }
        }
    }
}
