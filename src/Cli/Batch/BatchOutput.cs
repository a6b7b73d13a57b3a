using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Kvpr.Runtime.Json;
using Kvpr.Text;

namespace Kvpr.Cli.Batch
{
    /// <summary>
    /// The results file of <c>kvpr generate</c>: one JSON record a line, appended and flushed as each sequence
    /// finishes. Opening an existing file resumes it: the ids (and the line numbers of error records) it holds are
    /// done, and a last line cut off by a kill is dropped, so a rerun writes exactly what is missing.
    /// </summary>
    internal sealed class BatchOutput : IDisposable
    {
        private readonly StreamWriter _writer;
        private readonly object _lock = new();

        private BatchOutput(StreamWriter writer, HashSet<string> doneIds, HashSet<int> doneLines)
        {
            _writer = writer;
            DoneIds = doneIds;
            DoneLines = doneLines;
        }

        /// <summary>Ids (as JSON text) already in the file.</summary>
        public IReadOnlySet<string> DoneIds { get; }

        /// <summary>Input lines whose error record without an id is already in the file.</summary>
        public IReadOnlySet<int> DoneLines { get; }

        public static BatchOutput Open(string path)
        {
            var doneIds = new HashSet<string>();
            var doneLines = new HashSet<int>();
            if (File.Exists(path))
            {
                DropCutOffLine(path);
                int number = 0;
                foreach (string line in File.ReadLines(path))
                {
                    number++;
                    if (line.Trim().Length == 0)
                        continue;
                    JsonField record;
                    try
                    {
                        record = JsonField.Parse(line, $"line {number} of the output {path}");
                        if (record.Optional("id") is { } id)
                            doneIds.Add(BatchRequest.IdNode(id).ToJsonString());
                        else if (record.Optional("line") is { } inputLine)
                            doneLines.Add(inputLine.AsInt());
                    }
                    catch (JsonFieldException e)
                    {
                        throw new UsageException($"{char.ToUpperInvariant(e.Message[0])}{e.Message[1..]} It is not a result record of kvpr generate; remove it or choose another --output.");
                    }
                }
            }
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            return new BatchOutput(new StreamWriter(stream, new UTF8Encoding(false)), doneIds, doneLines);
        }

        public void WriteResult(BatchRequest request, TextCompletion completion, TextTokenizer? tokenizer) => Write(new JsonObject
        {
            ["id"] = request.Id.DeepClone(),
            ["token_ids"] = new JsonArray(completion.TokenIds.Select(id => (JsonNode)id).ToArray()),
            ["text"] = tokenizer is null ? null : completion.Text,
            ["finish_reason"] = completion.FinishReason.ToString().ToLowerInvariant(),
            ["prompt_tokens"] = completion.PromptTokens,
        });

        public void WriteError(JsonNode? id, int line, string error) => Write(new JsonObject
        {
            ["id"] = id?.DeepClone(),
            ["line"] = line,
            ["error"] = error,
        });

        public void Dispose() => _writer.Dispose();

        /// <summary>One record a line, flushed at once: a kill loses at most the line being written.</summary>
        private void Write(JsonObject record)
        {
            // A job without a tokenizer has no text to give.
            if (record.ContainsKey("text") && record["text"] is null)
                record.Remove("text");
            lock (_lock)
            {
                _writer.Write(record.ToJsonString(CliJson.Options) + "\n");
                _writer.Flush();
            }
        }

        /// <summary>Cuts the file after its last newline: a line without one was being written when the job was killed.</summary>
        private static void DropCutOffLine(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            long end = file.Length;
            while (end > 0)
            {
                file.Position = end - 1;
                if (file.ReadByte() == '\n')
                    break;
                end--;
            }
            file.SetLength(end);
        }
    }
}
