using System;
using System.Collections.Generic;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// Logits and greedy tokens of a run against a reference, sequence by sequence and step by step, up to where the
    /// tokens part: worst absolute and relative difference, and whether every token matches where the reference's top
    /// two logits are further apart than <see cref="Margin"/> (closer calls may go either way in fp16).
    /// </summary>
    internal sealed class LogitComparison
    {
        public LogitComparison(double margin) => Margin = margin;

        public double Margin { get; }
        public double WorstAbsolute { get; private set; }
        /// <summary>Where <see cref="WorstAbsolute"/> was seen: the sequence, and the prefill position or generated step.</summary>
        public string WorstAt => _worst is { } at ? $"sequence {at.Sequence}, {at.Row} {at.Index}, logit {at.Logit}" : "no row";

        private (int Sequence, string Row, int Index, int Logit)? _worst;
        public double WorstRelative { get; private set; }
        public int Rows { get; private set; }
        public int Tokens { get; private set; }
        public int MatchingTokens { get; private set; }
        /// <summary>Tokens that differ although the reference's margin was above <see cref="Margin"/>.</summary>
        public int ClearMismatches { get; private set; }

        /// <summary>Compares rows of logits (e.g. prefill positions) without tokens.</summary>
        public void AddLogits(int sequence, IReadOnlyList<float[]> actual, IReadOnlyList<float[]> expected)
        {
            for (int row = 0; row < Math.Min(actual.Count, expected.Count); row++)
                AddRow(actual[row], expected[row], sequence, "prefill position", row);
        }

        /// <summary>Compares generated tokens and the logits they came from, until the first token that differs.</summary>
        public void AddGenerated(int sequence, IReadOnlyList<int> actualTokens, IReadOnlyList<float[]> actualLogits, IReadOnlyList<int> expectedTokens, IReadOnlyList<float[]> expectedLogits)
        {
            int steps = Math.Min(actualTokens.Count, expectedTokens.Count);
            for (int step = 0; step < steps; step++)
            {
                AddRow(actualLogits[step], expectedLogits[step], sequence, "generated token", step);
                Tokens++;
                if (actualTokens[step] == expectedTokens[step])
                {
                    MatchingTokens++;
                    continue;
                }
                if (TopTwoMargin(expectedLogits[step]) > Margin)
                    ClearMismatches++;
                return; // later steps continue different text: nothing left to compare
            }
        }

        private void AddRow(float[] actual, float[] expected, int sequence, string row, int index)
        {
            double squares = 0, differences = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = actual[i] - (double)expected[i], absolute = double.IsNaN(difference) ? double.PositiveInfinity : Math.Abs(difference);
                if (absolute > WorstAbsolute)
                {
                    WorstAbsolute = absolute;
                    _worst = (sequence, row, index, i);
                }
                differences += difference * difference;
                squares += (double)expected[i] * expected[i];
            }
            WorstRelative = Math.Max(WorstRelative, Math.Sqrt(differences / Math.Max(squares, double.Epsilon)));
            Rows++;
        }

        private static double TopTwoMargin(float[] logits)
        {
            double first = double.NegativeInfinity, second = double.NegativeInfinity;
            foreach (float value in logits)
            {
                if (value > first)
                {
                    second = first;
                    first = value;
                }
                else if (value > second)
                {
                    second = value;
                }
            }
            return first - second;
        }
    }
}
