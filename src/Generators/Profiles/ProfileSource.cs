namespace Kvpr.Generators.Profiles
{
    /// <summary>
    /// The hardware profile a project plans with, as text: a stored profile, the file named by KvprHardwareProfile,
    /// or nothing when that file was not given to the compiler (<see cref="Text"/> null).
    /// </summary>
    /// <param name="Requested">The KvprHardwareProfile value (empty when unset).</param>
    /// <param name="Origin">Where the text comes from, for messages: the file path or the stored profile's name.</param>
    internal sealed record ProfileSource(string Requested, string Origin, string? Text)
    {
        public bool IsMissing => Text is null;
    }
}
