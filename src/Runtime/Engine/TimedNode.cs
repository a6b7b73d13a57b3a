using Kvpr.Graphs;

namespace Kvpr
{
    /// <summary>
    /// When one graph node ran on its stream in a step, measured on the device's clock (CUDA events; Stopwatch
    /// timestamps on the synchronous CPU backend), in microseconds from the step's start.
    /// </summary>
    public sealed record TimedNode(int NodeId, OpKind Op, int Layer, int MicroBatch, StreamKind Stream,
        double StartMicroseconds, double DurationMicroseconds)
    {
        public double EndMicroseconds => StartMicroseconds + DurationMicroseconds;

        /// <summary>The run of the graph it belongs to: the prefill chunk of a prefill in parts, 0 in a decode step.</summary>
        public int Part { get; init; }
    }
}
