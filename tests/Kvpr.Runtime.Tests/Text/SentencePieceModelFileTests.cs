using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Json;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// A tokenizer.model folder (no fixture of its own yet): the llama2 fixture's vocabulary written as a SentencePiece
/// model beside its tokenizer_config.json (add_bos_token) must give AutoTokenizer's ids and text for every case
/// without a special token inside (where SentencePiece's one leading ▁ and Hugging Face's per-piece ▁ agree).
/// </summary>
public class SentencePieceModelFileTests
{
    [Fact]
    public void A_sentencepiece_model_gives_the_ids_and_text_of_the_same_vocabulary_as_tokenizer_json()
    {
        string fixture = Path.Combine(Fixtures.Root, "tokenizers", "llama2");
        using var folder = new TempFolder("llama2-model");
        var root = JsonParser.Parse(File.ReadAllText(Path.Combine(fixture, "tokenizer.json")), "tokenizer.json");
        var model = root.Required("model");
        File.WriteAllBytes(folder.File("tokenizer.model"), SentencePieceBpeModel.Write(model.Required("vocab"), TokenizerJson.Vocabulary(model.Required("vocab")),
            TokenizerJson.Merges(model), new AddedToken[0], "<unk>", byteFallback: true, addDummyPrefix: true));
        File.Copy(Path.Combine(fixture, "tokenizer_config.json"), folder.File("tokenizer_config.json"));
        var tokenizer = TextTokenizer.Load(folder.Path);

        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "cases.json")));
        var plain = cases.RootElement.EnumerateArray().Where(c => !c.GetProperty("text").GetString()!.Contains("</") && !c.GetProperty("text").GetString()!.Contains("<s>")).ToArray();
        plain.Length.ShouldBeGreaterThan(250);
        foreach (var c in plain)
        {
            string text = c.GetProperty("text").GetString()!;
            int[] Ids(string name) => c.GetProperty(name).EnumerateArray().Select(id => id.GetInt32()).ToArray();
            tokenizer.Encode(text).ShouldBe(Ids("ids"), text);
            tokenizer.Decode(Ids("ids_plain")).ShouldBe(c.GetProperty("decoded").GetString(), text);
            tokenizer.Decode(Ids("ids"), skipSpecialTokens: true).ShouldBe(c.GetProperty("decoded_skip").GetString(), text);
        }
    }
}
