namespace Kvpr.Generators.Profiles
{
    /// <summary>
    /// The hardware profile a project plans with, as text: a stored profile, the file named by KvprHardwareProfile,
    /// or nothing when that file was not given to the compiler (<see cref="Text"/> null).
    /// </summary>
    /// <param name="Requested">The KvprHardwareProfile value (empty when unset).</param>
    /// <param name="Origin">Where the text comes from, for messages: the file path or the stored profile's name.</param>
    /// <param name="IsStored">Whether <paramref name="Origin"/> names a profile embedded in Kvpr.</param>
    internal sealed record ProfileSource(string Requested, string Origin, string? Text, bool IsStored)
    {
        public bool IsMissing => Text is null;

        /// <summary>One sentence saying which profile the plan was made with, for the generated files' header.</summary>
        public string Description => Requested.Length == 0
            ? $"Planned with the default hardware profile '{Origin}' (embedded in Kvpr); set KvprHardwareProfile to plan for your machine."
            : IsStored ? $"Planned with the stored hardware profile '{Origin}'." : $"Planned with the hardware profile {Origin}.";
    }
}
