using System;
using System.IO;
using Kvpr.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Kvpr.Build
{
    /// <summary>
    /// Resolves KvprHardwareProfile before compilation: empty means the embedded default, a stored profile's name is
    /// taken as is, anything else is a file that must exist and parse. Fails the build with an error naming the file
    /// and the field at fault, so a bad profile never reaches the source generator.
    /// </summary>
    public sealed class ResolveHardwareProfile : Task
    {
        /// <summary>The KvprHardwareProfile property: empty, a stored profile's name, or a path relative to the project.</summary>
        public string? Profile { get; set; }

        [Required]
        public string ProjectDirectory { get; set; } = "";

        /// <summary>The profile file's full path, to pass to the compiler; empty for stored profiles.</summary>
        [Output]
        public string ProfilePath { get; private set; } = "";

        public override bool Execute()
        {
            string requested = (Profile ?? "").Trim();
            if (requested.Length == 0 || HardwareProfiles.IsStored(requested))
            {
                string name = requested.Length == 0 ? HardwareProfiles.DefaultName : requested;
                Log.LogMessage(MessageImportance.Low, $"Kvpr plans with the stored hardware profile '{name}'.");
                return true;
            }

            string path = Path.GetFullPath(Path.Combine(ProjectDirectory, requested));
            if (!File.Exists(path))
            {
                Log.LogError(null, ErrorCodes.MissingProfile, null, null, 0, 0, 0, 0,
                    $"KvprHardwareProfile '{requested}' is neither a stored profile ({string.Join(", ", HardwareProfiles.StoredNames)}) nor an existing file (looked for {path}).");
                return false;
            }
            try
            {
                HardwareProfileFormat.Parse(JsonFile.ReadText(path), path);
            }
            catch (JsonFormatException e)
            {
                Log.LogError(null, ErrorCodes.InvalidProfile, null, path, 0, 0, 0, 0, e.Message);
                return false;
            }
            catch (IOException e)
            {
                Log.LogError(null, ErrorCodes.InvalidProfile, null, path, 0, 0, 0, 0, $"Cannot read the hardware profile: {e.Message}");
                return false;
            }
            ProfilePath = path;
            return true;
        }
    }
}
