namespace Kvpr.Runtime.Cuda
{
    /// <summary>One line of a selftest report: what was checked, whether it passed, and the numbers behind it.</summary>
    public sealed record SelftestCheck(string Name, bool Passed, string Detail, bool Informational = false)
    {
        /// <summary>A fact worth printing (where a library was found) that cannot fail.</summary>
        public static SelftestCheck Info(string name, string detail) => new(name, true, detail, Informational: true);

        public string Verdict => Informational ? "INFO" : Passed ? "PASS" : "FAIL";
    }
}
