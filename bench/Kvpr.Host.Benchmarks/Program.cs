using BenchmarkDotNet.Running;

namespace Kvpr.Host.Benchmarks
{
    /// <summary>Run with <c>dotnet run -c Release --project bench/Kvpr.Host.Benchmarks</c> (BenchmarkDotNet arguments pass through).</summary>
    public static class Program
    {
        public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
