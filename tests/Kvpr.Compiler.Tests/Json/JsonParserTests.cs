using Kvpr.Json;

namespace Kvpr.Compiler.Tests.Json;

public class JsonParserTests
{
    [Fact]
    public void Parses_nested_values_and_remembers_their_paths()
    {
        var root = JsonParser.Parse("{\"a\": [1, {\"b\": \"x\\u0041\\n\"}], \"c\": -2.5e3, \"d\": true, \"e\": null}", "doc.json");
        root.Required("a").Items[0].AsInt().ShouldBe(1);
        var b = root.Required("a").Items[1].Required("b");
        b.AsString().ShouldBe("xA\n");
        b.Path.ShouldBe("a[1].b");
        root.Required("c").AsNumber().ShouldBe(-2500);
        root.Required("d").AsBool().ShouldBeTrue();
        root.Required("e").Kind.ShouldBe(JsonKind.Null);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", "line 1, column 9")]
    [InlineData("{\"a\": 1}\n x", "line 2, column 2")]
    [InlineData("[01x]", "expected ',' or ']'")]
    [InlineData("{\"a\": 1, \"a\": 2}", "appears twice")]
    [InlineData("\"abc", "unterminated string")]
    [InlineData("{\"a\": 1.}", "digits must follow")]
    public void Rejects_malformed_documents_with_position(string text, string expected)
    {
        var error = Should.Throw<JsonFormatException>(() => JsonParser.Parse(text, "doc.json"));
        error.Message.ShouldStartWith("doc.json: invalid JSON");
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Type_errors_name_the_field_and_the_value_found()
    {
        var root = JsonParser.Parse("{\"size\": {\"bytes\": \"many\"}}", "doc.json");
        var error = Should.Throw<JsonFormatException>(() => root.Required("size").Required("bytes").AsLong());
        error.Message.ShouldBe("doc.json: field 'size.bytes' must be a number, but is the string \"many\".");
    }

    [Fact]
    public void Writer_output_parses_back_to_the_same_values()
    {
        string text = new JsonWriter().StartObject()
            .Property("name", "q\"uote\\")
            .Property("third", 1.0 / 3)
            .Property("big", 85017493504L)
            .Name("list").StartArray().Value(1L).Value(false).Value((string?)null).EndArray()
            .Name("empty").StartObject().EndObject()
            .EndObject().ToString();
        var root = JsonParser.Parse(text, "written");
        root.Required("name").AsString().ShouldBe("q\"uote\\");
        root.Required("third").AsNumber().ShouldBe(1.0 / 3);
        root.Required("big").AsLong().ShouldBe(85017493504L);
        root.Required("list").Items.Count.ShouldBe(3);
        root.Required("empty").Properties.ShouldBeEmpty();
    }
}
