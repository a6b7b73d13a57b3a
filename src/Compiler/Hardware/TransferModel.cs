using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>One measured copy: its size and the bandwidth it achieved.</summary>
    public sealed record TransferSample(long Bytes, double BytesPerSecond);

    /// <summary>
    /// Time of one copy over a link as fixed latency plus bytes over bandwidth, least-squares fitted to
    /// measured samples: small copies pay the latency, large ones run at the asymptotic bandwidth.
    /// </summary>
    public sealed record TransferModel(double LatencySeconds, double BytesPerSecond)
    {
        public double Seconds(double bytes) => bytes <= 0 ? 0 : LatencySeconds + bytes / BytesPerSecond;

        /// <summary>
        /// Fits t = latency + bytes / bandwidth, weighting each sample by 1/t² so that small and large copies
        /// count by their relative error. One sample gives zero latency; a fit whose latency would come out
        /// negative is refitted through the origin, since copies never take less than nothing.
        /// </summary>
        public static TransferModel Fit(IReadOnlyList<TransferSample> samples)
        {
            if (samples.Count == 0)
                throw new ArgumentException("At least one transfer sample is needed.", nameof(samples));
            var points = samples.Select(s => (x: (double)s.Bytes, t: s.Bytes / s.BytesPerSecond)).ToArray();
            if (points.Length > 1)
            {
                double totalWeight = points.Sum(p => Weight(p.t));
                double meanX = points.Sum(p => Weight(p.t) * p.x) / totalWeight, meanT = points.Sum(p => Weight(p.t) * p.t) / totalWeight;
                double sxx = points.Sum(p => Weight(p.t) * (p.x - meanX) * (p.x - meanX));
                double sxt = points.Sum(p => Weight(p.t) * (p.x - meanX) * (p.t - meanT));
                if (sxx > 0 && sxt > 0)
                {
                    double secondsPerByte = sxt / sxx;
                    double latency = meanT - secondsPerByte * meanX;
                    if (latency >= 0)
                        return new TransferModel(latency, 1 / secondsPerByte);
                }
            }
            double throughOrigin = points.Sum(p => Weight(p.t) * p.x * p.t) / points.Sum(p => Weight(p.t) * p.x * p.x);
            return new TransferModel(0, 1 / throughOrigin);
        }

        private static double Weight(double seconds) => 1 / (seconds * seconds);
    }
}
