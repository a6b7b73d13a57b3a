using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr tokenize DIR "text"</c>: the ids the checkpoint's tokenizer gives a text (what <c>kvpr run --prompt</c>
    /// feeds the model), or with --decode the text of ids; for checking prompts.
    /// </summary>
    internal static class TokenizeCommand
    {
        public static Command Create()
        {
            var folder = new Argument<string>("checkpoint") { Description = "A checkpoint folder with tokenizer.json, vocab.json + merges.txt, or tokenizer.model." };
            var text = new Argument<string?>("text") { Description = "The text to encode.", Arity = ArgumentArity.ZeroOrOne };
            var decode = new Option<string?>("--decode") { Description = "Decode these ids instead of encoding a text.", HelpName = "1,2,3" };
            var noSpecial = new Option<bool>("--no-special-tokens") { Description = "Encode without the BOS/EOS tokens the checkpoint adds; decode without special tokens." };
            var json = new Option<bool>("--json") { Description = "Print {\"text\", \"ids\"} as JSON." };
            var command = new Command("tokenize", "Print the token ids of a text with a checkpoint's tokenizer (--decode: the text of ids).") { folder, text, decode, noSpecial, json };
            command.SetAction(parse => Run(parse.GetValue(folder)!, parse.GetValue(text), parse.GetValue(decode), parse.GetValue(noSpecial), parse.GetValue(json),
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
            return command;
        }

        internal static int Run(string folder, string? text, string? decode, bool noSpecialTokens, bool json, TextWriter output, TextWriter error)
        {
            try
            {
                if ((text is null) == (decode is null))
                    throw new UsageException("Give either a text to encode or --decode with ids, not both or neither.");
                if (!Directory.Exists(folder))
                    throw new UsageException($"The checkpoint folder {folder} does not exist.");
                var tokenizer = TextTokenizer.Load(folder);
                int[] ids;
                if (decode is not null)
                {
                    var parsed = PromptIds.Parse(decode, "--decode");
                    if (parsed.Length != 1)
                        throw new UsageException($"--decode '{decode}' must be one sequence of ids (no ';').");
                    ids = parsed[0];
                    text = tokenizer.Decode(ids, skipSpecialTokens: noSpecialTokens);
                }
                else
                    ids = tokenizer.Encode(text!, addSpecialTokens: !noSpecialTokens);

                if (json)
                    output.WriteLine(new JsonObject { ["text"] = text, ["ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray()) }.ToJsonString());
                else
                    output.WriteLine(decode is not null ? text : string.Join(",", ids));
                return 0;
            }
            catch (Exception e) when (e is UsageException or CheckpointException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine(e.Message);
                return 1;
            }
        }
    }
}
