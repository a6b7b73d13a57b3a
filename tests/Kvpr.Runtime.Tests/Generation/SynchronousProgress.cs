using System;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>Reports on the generating thread (Progress&lt;T&gt; would post to the thread pool), so a test can act between steps.</summary>
internal sealed class SynchronousProgress(Action<StepStatistics> report) : IProgress<StepStatistics>
{
    public void Report(StepStatistics value) => report(value);
}
