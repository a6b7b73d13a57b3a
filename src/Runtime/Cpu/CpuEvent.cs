using System.Diagnostics;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// An event of the CPU backend: complete as soon as it is recorded (see <see cref="CpuStream"/>), so the
    /// <see cref="Stopwatch"/> timestamp of its recording is when it fired.
    /// </summary>
    internal sealed class CpuEvent : IEvent
    {
        public long FiredAt { get; private set; }

        public void Fire() => FiredAt = Stopwatch.GetTimestamp();

        public static CpuEvent Of(IEvent completed) => completed as CpuEvent
            ?? throw new System.ArgumentException($"The CPU backend cannot record a {completed.GetType().Name}; create events on the CPU device.");
    }
}
