namespace Kvpr.Runtime.Cuda
{
    /// <summary>One line of a selftest report: what was checked, whether it passed, and the numbers behind it.</summary>
    public sealed record SelftestCheck(string Name, bool Passed, string Detail, bool Informational = false, bool Skipped = false)
    {
        /// <summary>A fact worth printing (where a library was found) that cannot fail.</summary>
        public static SelftestCheck Info(string name, string detail) => new(name, true, detail, Informational: true);

        /// <summary>A check this machine cannot run (an optional library missing, too few GPUs): reported with why, neither passed nor failed.</summary>
        public static SelftestCheck Skip(string name, string reason) => new(name, true, reason, Informational: true, Skipped: true);

        public string Verdict => Skipped ? "SKIP" : Informational ? "INFO" : Passed ? "PASS" : "FAIL";
    }
}
