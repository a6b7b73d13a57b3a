using System;
using System.Threading;
using System.Threading.Tasks;
using Kvpr.Host;
using Shouldly;

namespace Kvpr.Runtime.Tests.Host;

/// <summary>
/// The pool's calls on more threads than this machine may give it: workers spin between close calls and sleep after a
/// pause, and every call must still run each of its items once and return.
/// </summary>
public class HostWorkerPoolTests
{
    [Fact]
    public async Task Every_item_of_every_call_runs_once_whether_the_workers_spin_or_sleep()
    {
        var pool = new HostWorkerPool(4);
        var random = new Random(5);
        var calls = Task.Run(() =>
        {
            for (int call = 0; call < 400; call++)
            {
                var runs = new int[random.Next(0, 40)];
                pool.Run(runs.Length, item => Interlocked.Increment(ref runs[item]));
                runs.ShouldAllBe(count => count == 1, $"call {call}");
                // Past the workers' millisecond of spinning now and then, so that they sleep and must be woken.
                if (call % 50 == 49)
                    Thread.Sleep(5);
            }
        });

        (await Task.WhenAny(calls, Task.Delay(TimeSpan.FromMinutes(2)))).ShouldBe(calls, "a call never returned: a worker missed its wake-up");
        await calls;
    }

    [Fact]
    public void A_failing_item_is_rethrown_and_the_next_call_runs_every_item()
    {
        var pool = new HostWorkerPool(3);

        Should.Throw<InvalidOperationException>(() => pool.Run(10, item =>
        {
            if (item == 4)
                throw new InvalidOperationException("item 4");
        })).Message.ShouldBe("item 4");

        int done = 0;
        pool.Run(10, _ => Interlocked.Increment(ref done));
        done.ShouldBe(10);
    }
}
