using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>An event of the CPU backend: always complete (see <see cref="CpuStream"/>).</summary>
    internal sealed class CpuEvent : IEvent
    {
    }
}
