using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Kvpr.Generators.Tests.Infrastructure;

/// <summary>
/// Compares generated text with files under snapshots/, line by line. With KVPR_UPDATE_SNAPSHOTS=1 it rewrites them
/// instead (and deletes stale ones), so a change to the emitted code is reviewed as a diff of the snapshot files.
/// </summary>
internal static class Snapshot
{
    private static bool Updating => Environment.GetEnvironmentVariable("KVPR_UPDATE_SNAPSHOTS") == "1";

    /// <summary>Checks that the folder holds exactly <paramref name="files"/> (name → text), no more, no less.</summary>
    public static void MatchFolder(string folder, IReadOnlyDictionary<string, string> files)
    {
        string directory = Path.Combine(RepoPaths.Snapshots, folder);
        if (Updating)
        {
            Directory.CreateDirectory(directory);
            foreach (var old in Directory.GetFiles(directory).Where(path => !files.ContainsKey(Path.GetFileName(path))))
                File.Delete(old);
            foreach (var (name, text) in files)
                File.WriteAllText(Path.Combine(directory, name), text);
            return;
        }

        var stored = Directory.Exists(directory) ? Directory.GetFiles(directory).Select(Path.GetFileName).ToArray() : Array.Empty<string>();
        var missing = files.Keys.Except(stored!).ToArray();
        var stale = stored.Except(files.Keys).ToArray();
        missing.ShouldBeEmpty($"No snapshot in snapshots/{folder} for generated files; run the tests with KVPR_UPDATE_SNAPSHOTS=1 and review the new files.");
        stale.ShouldBeEmpty($"Snapshots in snapshots/{folder} that are no longer generated; run with KVPR_UPDATE_SNAPSHOTS=1 to delete them.");
        foreach (var (name, text) in files)
            Match($"snapshots/{folder}/{name}", File.ReadAllText(Path.Combine(directory, name)), text);
    }

    private static void Match(string snapshotPath, string expected, string actual)
    {
        string[] expectedLines = Lines(expected), actualLines = Lines(actual);
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string? want = i < expectedLines.Length ? expectedLines[i] : null, got = i < actualLines.Length ? actualLines[i] : null;
            if (want != got)
                throw new ShouldAssertException(
                    $"{snapshotPath} differs at line {i + 1} (KVPR_UPDATE_SNAPSHOTS=1 rewrites it):\n" +
                    $"  snapshot:  {want ?? "<end of file>"}\n" +
                    $"  generated: {got ?? "<end of file>"}");
        }
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").Split('\n');
}
