using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kvpr.Generators.Profiles
{
    /// <summary>
    /// Finds the hardware profile's text from what MSBuild hands the compiler (see Kvpr.targets): the
    /// KvprHardwareProfile property, and the profile file as an AdditionalFiles item marked KvprHardwareProfile="true".
    /// </summary>
    internal static class ProfileLocator
    {
        public const string PropertyName = "build_property.KvprHardwareProfile";
        public const string FileMetadataName = "build_metadata.AdditionalFiles.KvprHardwareProfile";

        public static string RequestedProfile(AnalyzerConfigOptions globalOptions) =>
            globalOptions.TryGetValue(PropertyName, out var value) ? value.Trim() : "";

        public static bool IsProfileFile(AnalyzerConfigOptions fileOptions) =>
            fileOptions.TryGetValue(FileMetadataName, out var value) && string.Equals(value.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);

        /// <param name="files">The marked files as (path, text); Kvpr.targets passes at most one.</param>
        public static ProfileSource Locate(string requested, ImmutableArray<(string Path, string? Text)> files)
        {
            string name = requested.Length == 0 ? HardwareProfiles.DefaultName : requested;
            if (HardwareProfiles.IsStored(name))
                return new ProfileSource(requested, name, HardwareProfiles.StoredText(name), IsStored: true);
            var file = files.FirstOrDefault(f => f.Text is not null);
            return file.Text is null
                ? new ProfileSource(requested, requested, null, IsStored: false)
                : new ProfileSource(requested, file.Path, file.Text, IsStored: false);
        }
    }
}
