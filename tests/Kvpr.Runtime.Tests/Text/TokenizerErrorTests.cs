using System.IO;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>Missing and malformed tokenizer files are one error naming the file (and field) at fault.</summary>
public class TokenizerErrorTests
{
    private static CheckpointException LoadFails(TempFolder folder) => Should.Throw<CheckpointException>(() => TextTokenizer.Load(folder.Path));

    [Fact]
    public void A_folder_without_tokenizer_files_has_no_tokenizer()
    {
        using var folder = new TempFolder("empty");

        TextTokenizer.TryLoad(folder.Path).ShouldBeNull();
        var error = LoadFails(folder);
        error.Code.ShouldBe(ErrorCodes.InvalidTokenizer);
        error.Message.ShouldContain("no tokenizer");
        error.Message.ShouldContain(folder.Path);
    }

    [Theory]
    [InlineData("{ not json", "tokenizer.json")]
    [InlineData("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", "field 'model.type' is 'WordPiece'")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "'b' which not exist in the vocabulary")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}, \"decoder\": {\"type\": \"ByteLevel\"}}", "field 'model.vocab.a' is -1")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"ab\"]}, \"decoder\": {\"type\": \"ByteLevel\"}}", "field 'model.merges[0]' is \"ab\", not two tokens")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "field 'pre_tokenizer' is a Whitespace step")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true}}", "add_prefix_space' is true")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"decoder\": {\"type\": \"ByteLevel\"}, \"added_tokens\": [{\"id\": 1, \"content\": \"<x>\", \"lstrip\": true}]}", "field 'added_tokens[0].lstrip' is true")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Metaspace\", \"prepend_scheme\": \"sometimes\"}}", "field 'pre_tokenizer.prepend_scheme' is 'sometimes'")]
    [InlineData("{\"model\": {\"type\": \"BPE\"}, \"model\": {}}", "Duplicate property 'model'")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": [], \"merges\": []}, \"decoder\": {\"type\": \"ByteLevel\"}}", "field 'model.vocab' must be an object, but is an array")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"\\ud800 a\"]}}", "field 'model.merges[0]' is text that is not valid Unicode")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1.5}, \"merges\": []}, \"decoder\": {\"type\": \"ByteLevel\"}}", "field 'model.vocab.a' must be an integer, but is the number 1.5")]
    public void A_malformed_tokenizer_json_is_reported_with_the_file_and_field(string json, string expected)
    {
        using var folder = new TempFolder("tok");
        string path = Path.Combine(folder.Path, "tokenizer.json");
        File.WriteAllText(path, json);

        var error = LoadFails(folder);

        error.Code.ShouldBe(ErrorCodes.InvalidTokenizer);
        error.Message.ShouldContain(path);
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Vocab_json_without_merges_txt_names_the_missing_file()
    {
        using var folder = new TempFolder("gpt2");
        File.WriteAllText(Path.Combine(folder.Path, "vocab.json"), "{\"a\": 0}");

        var error = LoadFails(folder);

        error.Message.ShouldContain(Path.Combine(folder.Path, "merges.txt"));
        error.Message.ShouldContain("needs both");
    }

    [Fact]
    public void A_bad_merges_line_is_reported_by_line_number()
    {
        using var folder = new TempFolder("gpt2");
        File.WriteAllText(Path.Combine(folder.Path, "vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        File.WriteAllText(Path.Combine(folder.Path, "merges.txt"), "#version: 0.2\na b\na  b c\n");

        var error = LoadFails(folder);

        error.Message.ShouldContain(Path.Combine(folder.Path, "merges.txt"));
        error.Message.ShouldContain("line 3");
    }

    [Fact]
    public void A_corrupt_sentencepiece_model_names_the_file()
    {
        using var folder = new TempFolder("spm");
        string path = Path.Combine(folder.Path, "tokenizer.model");
        File.WriteAllBytes(path, new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2 });

        var error = LoadFails(folder);

        error.Message.ShouldContain(path);
        error.Message.ShouldContain("not a SentencePiece BPE model");
    }

    [Fact]
    public void A_malformed_tokenizer_config_names_the_field()
    {
        using var folder = new TempFolder("tok");
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"), "{\"add_bos_token\": \"yes\"}");
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"decoder\": {\"type\": \"ByteLevel\"}}");

        var error = LoadFails(folder);

        error.Message.ShouldContain(Path.Combine(folder.Path, "tokenizer_config.json"));
        error.Message.ShouldContain("field 'add_bos_token' must be true or false");
    }

    [Fact]
    public void A_malformed_vocab_json_names_the_file_and_token()
    {
        using var folder = new TempFolder("tok");
        string vocab = Path.Combine(folder.Path, "vocab.json");
        File.WriteAllText(vocab, "{\"a\": \"zero\"}");
        File.WriteAllText(Path.Combine(folder.Path, "merges.txt"), "#version: 0.2\n");

        var error = LoadFails(folder);

        error.Code.ShouldBe(ErrorCodes.InvalidTokenizer);
        error.Message.ShouldContain(vocab);
        error.Message.ShouldContain("field 'a' must be a number, but is the string \"zero\"");
    }

    [Fact]
    public void A_tokenizer_config_that_is_a_directory_is_refused_by_name()
    {
        using var folder = new TempFolder("tok");
        string config = Path.Combine(folder.Path, "tokenizer_config.json");
        Directory.CreateDirectory(config);

        var error = LoadFails(folder);

        error.Code.ShouldBe(ErrorCodes.InvalidTokenizer);
        error.Message.ShouldContain(config);
        error.Message.ShouldContain("is a directory");
    }
}
