using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Kvpr
{
    /// <summary>The stored profiles shipped in this assembly (profiles/*.hwprofile.json) and lookup by name or path.</summary>
    public static class HardwareProfiles
    {
        /// <summary>The profile used when none is given: measured on the project's H100 box.</summary>
        public const string DefaultName = "h100-sxm-pcie5";
        private const string ResourcePrefix = "Kvpr.Profiles.";

        public static IReadOnlyList<string> StoredNames { get; } = typeof(HardwareProfiles).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(HardwareProfileFormat.FileSuffix, StringComparison.Ordinal))
            .Select(n => n.Substring(ResourcePrefix.Length, n.Length - ResourcePrefix.Length - HardwareProfileFormat.FileSuffix.Length))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();

        public static HardwareProfile Default => Stored(DefaultName);

        public static bool IsStored(string name) => StoredNames.Contains(name);

        /// <summary>The text of a stored profile, as shipped.</summary>
        public static string StoredText(string name)
        {
            if (!IsStored(name))
                throw new KeyNotFoundException($"No stored hardware profile is named '{name}'. Stored: {string.Join(", ", StoredNames)}.");
            using var stream = typeof(HardwareProfiles).Assembly.GetManifestResourceStream(ResourcePrefix + name + HardwareProfileFormat.FileSuffix)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        public static HardwareProfile Stored(string name) => HardwareProfileFormat.Parse(StoredText(name), $"profiles/{name}{HardwareProfileFormat.FileSuffix}");

        /// <summary>A stored profile's name, or the path of a profile file.</summary>
        /// <exception cref="FileNotFoundException">Neither a stored name nor an existing file.</exception>
        /// <exception cref="Json.JsonFormatException">The file is not a valid profile.</exception>
        public static HardwareProfile Resolve(string nameOrPath)
        {
            if (IsStored(nameOrPath))
                return Stored(nameOrPath);
            if (File.Exists(nameOrPath))
                return HardwareProfileFormat.Parse(Json.JsonFile.ReadText(nameOrPath), nameOrPath);
            throw new FileNotFoundException(
                $"Hardware profile '{nameOrPath}' is neither a stored profile ({string.Join(", ", StoredNames)}) nor an existing file.", nameOrPath);
        }
    }
}
