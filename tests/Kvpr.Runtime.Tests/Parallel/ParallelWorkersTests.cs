using System;
using System.Threading;

namespace Kvpr.Runtime.Tests.Parallel;

/// <summary>Workers that fail as one: the first failure releases the others and is what the caller sees.</summary>
public class ParallelWorkersTests
{
    /// <summary>Blocks until the workers are released, then gives up as a released worker does.</summary>
    private static int WaitForRelease(CancellationToken released)
    {
        released.WaitHandle.WaitOne();
        released.ThrowIfCancellationRequested();
        return -1;
    }

    [Fact]
    public void Results_come_back_by_index()
    {
        ParallelWorkers.Run(4, (index, _) => index * 10, CancellationToken.None, "test worker").ShouldBe(new[] { 0, 10, 20, 30 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_failure_releases_the_waiting_workers_and_is_rethrown_not_their_cancellations(int failing)
    {
        var error = Should.Throw<InvalidOperationException>(() => ParallelWorkers.Run(3, (index, released) =>
            index == failing ? throw new InvalidOperationException($"worker {index} failed") : WaitForRelease(released), CancellationToken.None, "test worker"));

        error.Message.ShouldBe($"worker {failing} failed");
    }

    [Fact]
    public void The_callers_cancellation_is_rethrown_with_the_callers_token()
    {
        using var caller = new CancellationTokenSource();

        var error = Should.Throw<OperationCanceledException>(() => ParallelWorkers.Run(3, (index, released) =>
        {
            if (index == 1)
                caller.Cancel();
            return WaitForRelease(released);
        }, caller.Token, "test worker"));

        error.CancellationToken.ShouldBe(caller.Token);
    }
}
