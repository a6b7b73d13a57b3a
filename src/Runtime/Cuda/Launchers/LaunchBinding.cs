using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Kernels;
using Kvpr.Kernels.Launchers;

namespace Kvpr.Runtime.Cuda.Launchers
{
    /// <summary>
    /// Which of its launcher's parameters one model's kernel takes: checked once, when the kernels are loaded, so a
    /// launch only compares bits. A kernel whose signature its launcher cannot pass is refused here.
    /// </summary>
    internal static class LaunchBinding
    {
        /// <summary>A bit per launcher parameter the kernel takes; throws naming the kernel and the parameters at odds.</summary>
        public static ulong Expected(KernelSignature signature)
        {
            if (!KernelLaunches.All.TryGetValue(signature.Name, out var launcher))
                throw new InvalidOperationException($"Kernel '{signature.Name}' has no typed launcher; regenerate {LauncherEmitter.RuntimePath}.");
            ulong expected = 0;
            int next = 0;
            foreach (var parameter in signature.Parameters)
            {
                int index = IndexOf(launcher, parameter.Name, next);
                if (index < 0 || launcher[index].CType != parameter.CType)
                    throw OutOfDate(signature, launcher);
                expected |= 1UL << index;
                next = index + 1;
            }
            for (int i = 0; i < launcher.Count; i++)
                if (!launcher[i].Optional && (expected & (1UL << i)) == 0)
                    throw OutOfDate(signature, launcher);
            return expected;
        }

        /// <summary>The parameters whose bits are set, for messages.</summary>
        public static string Names(IReadOnlyList<LauncherParameter> parameters, ulong bits) =>
            string.Join(", ", parameters.Where((_, i) => (bits & (1UL << i)) != 0).Select(p => p.Name));

        private static int IndexOf(IReadOnlyList<LauncherParameter> launcher, string name, int from)
        {
            for (int i = from; i < launcher.Count; i++)
                if (launcher[i].Name == name)
                    return i;
            return -1;
        }

        private static InvalidOperationException OutOfDate(KernelSignature signature, IReadOnlyList<LauncherParameter> launcher) =>
            new($"Kernel '{signature.Name}' takes ({string.Join(", ", signature.Parameters.Select(p => $"{p.CType} {p.Name}"))}) but its launcher passes ({string.Join(", ", launcher.Select(p => $"{p.CType} {p.Name}{(p.Optional ? " (optional)" : "")}"))}); regenerate {LauncherEmitter.RuntimePath}.");
    }
}
