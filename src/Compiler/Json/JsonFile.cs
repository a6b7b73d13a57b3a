using System.IO;
using System.Text;

namespace Kvpr.Json
{
    /// <summary>
    /// Reads a JSON document from a file, refusing before it opens one what would hang or exhaust memory: a FIFO, a
    /// device or a socket (opening one blocks or never ends), a directory, or a file larger than any document Kvpr reads.
    /// </summary>
    public static class JsonFile
    {
        /// <summary>Largest JSON file read: the safetensors index of the largest checkpoints is a few MB.</summary>
        public const long MaxBytes = 64L << 20;

        /// <exception cref="JsonFormatException">The path is not a regular, non-empty file of at most <see cref="MaxBytes"/>; names the file.</exception>
        public static string ReadText(string path)
        {
            if (Directory.Exists(path))
                throw new JsonFormatException(path, "", "the path is a directory, not a JSON file");
            var info = FinalTarget(new FileInfo(path));
            if (!info.Exists)
                throw new JsonFormatException(path, "", "the file does not exist");
            // FIFOs, devices and sockets report no length: refusing empty files keeps them from being opened at all.
            if (info.Length == 0)
                throw new JsonFormatException(path, "", "the file is empty or not a regular file (a FIFO, a device or a socket); JSON is read from regular files only");
            if (info.Length > MaxBytes)
                throw new JsonFormatException(path, "", $"the file has {info.Length:N0} bytes, more than the {MaxBytes:N0} a JSON file may have");
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            // The length may have changed since it was checked: read one byte past the limit to notice.
            var bytes = new byte[(int)info.Length + 1];
            int read = 0, count;
            while (read < bytes.Length && (count = stream.Read(bytes, read, bytes.Length - read)) > 0)
                read += count;
            if (read > info.Length)
                throw new JsonFormatException(path, "", "the file grew while it was read");
            using var reader = new StreamReader(new MemoryStream(bytes, 0, read), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        /// <summary>
        /// The file at the end of a chain of symbolic links (a Hugging Face cache links its files), whose length tells
        /// what it is: a link's own length is that of its target's path. FileSystemInfo.ResolveLinkTarget exists from
        /// .NET 6 on and is looked up at run time, since this assembly targets netstandard2.0.
        /// </summary>
        private static FileInfo FinalTarget(FileInfo info)
        {
            if (!info.Exists || (info.Attributes & FileAttributes.ReparsePoint) == 0)
                return info;
            var resolve = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });
            return resolve?.Invoke(info, new object[] { true }) as FileInfo ?? info;
        }
    }
}
