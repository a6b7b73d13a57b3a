using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON header describing
    /// each tensor, then the tensors' bytes. Opening validates the whole header; tensor bytes are read in
    /// place, without copying. Dispose releases the mapping (and invalidates spans handed out).
    /// </summary>
    public sealed unsafe class SafetensorsFile : IDisposable
    {
        /// <summary>Largest header accepted, as in the reference implementation: guards against garbage lengths.</summary>
        public const long MaxHeaderBytes = 100_000_000;

        private readonly MemoryMappedFile _mapping;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _data;
        private readonly long _dataLength;
        private bool _disposed;

        private SafetensorsFile(string path, MemoryMappedFile mapping, MemoryMappedViewAccessor view, long fileLength)
        {
            Path = path;
            _mapping = mapping;
            _view = view;
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            start += view.PointerOffset;

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(start, 8));
            if (headerLength > MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, path,
                    $"the header length field says {headerLength} bytes, but the file has {fileLength - 8} bytes after it (and at most {MaxHeaderBytes} are accepted): the file is truncated or not a safetensors file.");

            _data = start + 8 + (long)headerLength;
            _dataLength = fileLength - 8 - (long)headerLength;
            var json = new ReadOnlySpan<byte>(start + 8, (int)headerLength).ToArray();
            (Metadata, Tensors) = SafetensorsHeader.Parse(json, _dataLength, this);
        }

        public string Path { get; }

        /// <summary>The header's <c>__metadata__</c> strings (e.g. format = pt).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

        /// <summary>The tensor named <paramref name="name"/>; the error names the file when it has none.</summary>
        public SafetensorsTensor this[string name] => Tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new CheckpointException(ErrorCodes.CheckpointMismatch, Path, $"there is no tensor '{name}'.");

        /// <summary>Maps and validates <paramref name="path"/>; every problem found is reported in one <see cref="CheckpointException"/>.</summary>
        public static SafetensorsFile Open(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, path, "the file does not exist.");
            if (info.Length < 8)
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, path,
                    $"the file has {info.Length} bytes, too few for the 8-byte header length: it is truncated, not a safetensors file, or not a regular file (a FIFO or a device).");

            var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                return new SafetensorsFile(path, mapping, view, info.Length);
            }
            catch
            {
                view?.SafeMemoryMappedViewHandle.ReleasePointer();
                view?.Dispose();
                mapping.Dispose();
                throw;
            }
        }

        internal ReadOnlySpan<byte> ReadData(long offset, long length, string tensor)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (length > int.MaxValue)
                throw new CheckpointException(ErrorCodes.CheckpointMismatch, Path, $"tensor '{tensor}' has {length} bytes, more than one span can view; convert it in parts.");
            return new ReadOnlySpan<byte>(_data + offset, (int)length);
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _mapping.Dispose();
        }

        public override string ToString() => Path;
    }
}
