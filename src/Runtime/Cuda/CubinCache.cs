using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Compiled cubins on disk, keyed by a hash of the source, the compile options and the compiler's version,
    /// and by the architecture, so a kernel set is compiled once per machine rather than once per run.
    /// </summary>
    public sealed class CubinCache
    {
        /// <summary>Overrides the cache folder.</summary>
        public const string FolderVariable = "KVPR_CUBIN_CACHE";

        public CubinCache(string folder) => Folder = folder;

        public string Folder { get; }

        /// <summary>$KVPR_CUBIN_CACHE, else $XDG_CACHE_HOME/kvpr/cubin, else ~/.cache/kvpr/cubin.</summary>
        public static CubinCache ForThisUser()
        {
            if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder)
                return new CubinCache(folder);
            string cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return new CubinCache(Path.Combine(cacheHome, "kvpr", "cubin"));
        }

        /// <summary>The file a cubin is stored in: <c>{sha256 of source, options, compiler}-{architecture}.cubin</c>.</summary>
        public string PathFor(string source, string architecture, IEnumerable<string> options, string compilerVersion)
        {
            var key = new StringBuilder(source).Append('\0').Append(compilerVersion);
            foreach (var option in options)
                key.Append('\0').Append(option);
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()))).ToLowerInvariant();
            return Path.Combine(Folder, $"{hash}-{architecture}.cubin");
        }

        public byte[]? TryRead(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

        /// <summary>Writes through a temporary file and a rename, so concurrent runs never read half a cubin.</summary>
        public void Write(string path, byte[] cubin)
        {
            Directory.CreateDirectory(Folder);
            string temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, cubin);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
