using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Kvpr.Host
{
    /// <summary>
    /// One thread per core but two (the caller's included) that take work items from a shared counter. Dedicated threads
    /// rather than Parallel.For: a call allocates nothing, and the .NET thread pool's other work never delays CPU attention.
    /// The cores left over are the GPU-driving thread's, the CUDA driver's and the kernel's (a sandbox's too): a worker
    /// preempted by them holds up the whole call. Leaving one core, decode steps with CPU attention on a 16-core H100 host
    /// now and then ran 1.3-2.4 times slower for several steps in a row (docs/performance.md).
    /// Calls run one at a time: each already uses the pool's cores.
    /// </summary>
    internal sealed class HostWorkerPool
    {
        private readonly object _gate = new();
        private readonly SemaphoreSlim _start = new(0);
        private readonly ManualResetEventSlim _finished = new(false);
        private IHostWork? _work;
        private int _count, _next, _pending;
        private Exception? _failure;

        private HostWorkerPool(int threads)
        {
            Threads = threads;
            for (int worker = 1; worker < threads; worker++)
            {
                int index = worker;
                new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"Kvpr host worker {index}" }.Start();
            }
        }

        /// <summary>The pool over every core this process may use but two.</summary>
        public static HostWorkerPool Shared { get; } = new(Math.Max(1, Environment.ProcessorCount - 2));

        /// <summary>Threads that run items, the caller's included.</summary>
        public int Threads { get; }

        /// <summary>Runs items [0, <paramref name="count"/>) of <paramref name="work"/> and returns when all are done.</summary>
        public void Run(IHostWork work, int count)
        {
            lock (_gate)
            {
                _work = work;
                _count = count;
                _next = 0;
                _failure = null;
                _pending = Threads;
                _finished.Reset();
                if (Threads > 1)
                    _start.Release(Threads - 1);
                Drain(0);
                _finished.Wait();
                _work = null;
                if (_failure is not null)
                    ExceptionDispatchInfo.Throw(_failure);
            }
        }

        /// <summary>Runs <paramref name="body"/> for items [0, <paramref name="count"/>): for work that may allocate (probes, fills).</summary>
        public void Run(int count, Action<int> body) => Run(new DelegateWork(body), count);

        private void WorkerLoop(int worker)
        {
            while (true)
            {
                _start.Wait();
                Drain(worker);
            }
        }

        private void Drain(int worker)
        {
            try
            {
                int item;
                while ((item = Interlocked.Increment(ref _next) - 1) < _count)
                    _work!.Execute(item, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                Volatile.Write(ref _next, _count);
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                    _finished.Set();
            }
        }

        private sealed class DelegateWork(Action<int> body) : IHostWork
        {
            public void Execute(int item, int worker) => body(item);
        }
    }
}
