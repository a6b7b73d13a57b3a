namespace Kvpr.Host
{
    /// <summary>Work items that <see cref="HostWorkerPool"/> spreads over the host's cores.</summary>
    internal interface IHostWork
    {
        /// <summary>Runs item <paramref name="item"/> on worker <paramref name="worker"/> (0 … threads − 1, for per-thread scratch).</summary>
        void Execute(int item, int worker);
    }
}
