using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>NVRTC rejected a kernel source: the program's name, the target architecture and NVRTC's log.</summary>
    public sealed class KernelCompileException : Exception
    {
        public KernelCompileException(string programName, string architecture, string log)
            : base($"NVRTC could not compile '{programName}' for {architecture}:{Environment.NewLine}{log.TrimEnd()}")
        {
            ProgramName = programName;
            Architecture = architecture;
            Log = log;
        }

        public string ProgramName { get; }
        public string Architecture { get; }
        public string Log { get; }
    }
}
