using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Kvpr.Kernels
{
    /// <summary>
    /// The CUDA kernels of one model: one translation unit to compile with NVRTC, and the signature of each of
    /// its extern "C" entry points, in source order.
    /// </summary>
    public sealed class KernelSet : IEquatable<KernelSet>
    {
        public KernelSet(string modelName, string source, IReadOnlyList<KernelSignature> kernels)
        {
            ModelName = modelName;
            Source = source;
            Kernels = kernels;
            ContentHash = Sha256Hex(source);
        }

        public string ModelName { get; }

        /// <summary>CUDA C++ source; compile with <see cref="NvrtcOptions"/> plus -I for the CUDA include folder.</summary>
        public string Source { get; }

        public IReadOnlyList<KernelSignature> Kernels { get; }

        /// <summary>SHA-256 of the UTF-8 source, lower-case hex: the key of the runtime's compile cache.</summary>
        public string ContentHash { get; }

        /// <summary>A name for the NVRTC program (appears in compile errors): the model's name as a file name.</summary>
        public string ProgramName => new string(ModelName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray()) + ".cu";

        /// <summary>NVRTC options the source is written for, besides the include path and the GPU architecture.</summary>
        public static IReadOnlyList<string> NvrtcOptions { get; } = new[] { "-std=c++17" };

        public bool Contains(string name) => Kernels.Any(k => k.Name == name);

        public KernelSignature this[string name] => Kernels.FirstOrDefault(k => k.Name == name)
            ?? throw new KeyNotFoundException($"The kernels of '{ModelName}' have no entry point '{name}'. They have: {string.Join(", ", Kernels.Select(k => k.Name))}.");

        public bool Equals(KernelSet? other) => other is not null
            && ModelName == other.ModelName
            && ContentHash == other.ContentHash
            && Kernels.SequenceEqual(other.Kernels);

        public override bool Equals(object? obj) => Equals(obj as KernelSet);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ContentHash);

        public override string ToString() => $"{ProgramName} ({Kernels.Count} kernels, sha256 {ContentHash})";

        private static string Sha256Hex(string text)
        {
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var hex = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash)
                hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
