namespace Kvpr.Graphs
{
    /// <summary>When a node ran in a simulated step (seconds from the step's start) and what it did.</summary>
    public sealed record NodeTiming(GraphNode Node, double StartSeconds, double EndSeconds, NodeWork Work, bool IsNoOp)
    {
        public double Seconds => EndSeconds - StartSeconds;
    }
}
