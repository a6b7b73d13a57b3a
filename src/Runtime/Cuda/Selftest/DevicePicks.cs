using System;
using System.Globalization;
using System.Linq;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// Greedy tokens picked on the GPU (a run without captured logits) against the host's picks from the captured logits
    /// of another run: they must be equal, except at a near-tie, where the GPU's token scores within the fixture's logit
    /// tolerance of the host's best (both runs are exact to that tolerance, so either token is a right greedy pick). After
    /// a near-tie the two sequences continue from different tokens, so the rest of that sequence is not compared.
    /// </summary>
    internal sealed record DevicePicks(int Same, int Compared, int Tokens, int NearTies, double WidestTie)
    {
        /// <summary>Whether every compared token agrees (near-ties apart).</summary>
        public bool Agree => Same == Compared;

        public static DevicePicks Compare(GenerationResult host, GenerationResult device, double tolerance)
        {
            var logits = host.Logits ?? throw new ArgumentException("The host's run must capture its logits.", nameof(host));
            int same = 0, compared = 0, tokens = 0, nearTies = 0;
            double widest = 0;
            for (int s = 0; s < host.Tokens.Length; s++)
            {
                tokens += host.Tokens[s].Length;
                // A sequence the device ended sooner (or later) disagrees at its end: compare where both have tokens, and count the rest as compared.
                compared += Math.Max(0, host.Tokens[s].Length - device.Tokens[s].Length);
                for (int step = 0; step < Math.Min(host.Tokens[s].Length, device.Tokens[s].Length); step++)
                {
                    int picked = host.Tokens[s][step], onDevice = device.Tokens[s][step];
                    if (picked != onDevice && logits.Generated[s][step] is var row && row[picked] - row[onDevice] <= tolerance)
                    {
                        nearTies++;
                        widest = Math.Max(widest, row[picked] - row[onDevice]);
                        break;
                    }
                    compared++;
                    if (picked == onDevice)
                        same++;
                }
            }
            return new DevicePicks(same, compared, tokens, nearTies, widest);
        }

        public override string ToString() => NearTies == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Same}/{Tokens} tokens as picked on the host")
            : string.Create(CultureInfo.InvariantCulture,
                $"{Same}/{Compared} compared tokens as picked on the host; {NearTies} near-tie(s) (the GPU's token within {WidestTie:E1} of the host's best), after which those sequences were not compared");
    }
}
