using System.Linq;
using Kvpr.Runtime.Json;

namespace Kvpr.Runtime.Tests.Json;

/// <summary>
/// The runtime's JSON field reader: every error names the source, the field's path, the value and what was expected;
/// syntax errors give the one-based line and the byte in it, counted by hand below.
/// </summary>
public class JsonFieldTests
{
    [Fact]
    public void A_syntax_error_gives_the_line_and_the_byte_in_it()
    {
        // Line 3 is `  "vocab_size": x`: two spaces, 12 bytes of name, ':' and a space put x at byte 17.
        Should.Throw<JsonFieldException>(() => JsonField.Parse("{\n  \"hidden_size\": 64,\n  \"vocab_size\": x\n}", "config.json"))
            .Message.ShouldStartWith("config.json: invalid JSON at line 3, byte 17: ");
        // Bytes, not characters: 'é' takes two bytes in UTF-8, so x is byte 8 of `{"é": x}`.
        Should.Throw<JsonFieldException>(() => JsonField.Parse("{\"\u00e9\": x}", "config.json"))
            .Message.ShouldStartWith("config.json: invalid JSON at line 1, byte 8: ");
    }

    [Fact]
    public void A_repeated_property_and_a_lone_surrogate_are_refused()
    {
        Should.Throw<JsonFieldException>(() => JsonField.Parse("{\"factor\": 1, \"factor\": 2}", "config.json")).Message.ShouldContain("invalid JSON");
        Should.Throw<JsonFieldException>(() => JsonField.Parse("{\"dtype\": \"\\ud800\"}", "config.json"))
            .Message.ShouldBe("config.json: field 'dtype' is text that is not valid Unicode (it escapes a lone surrogate).");
        Should.Throw<JsonFieldException>(() => JsonField.Parse("{\"\\udc00\": 1}", "config.json"))
            .Message.ShouldBe("config.json: has a property name that is not valid Unicode (it escapes a lone surrogate).");
    }

    [Fact]
    public void Errors_name_the_path_the_value_and_the_range()
    {
        var root = JsonField.Parse("{\"rope_scaling\": {\"factor\": 1e400, \"type\": 8}, \"ids\": [[1, -2]], \"dim\": 64.5, \"flag\": null}", "config.json");

        Should.Throw<JsonFieldException>(() => root.Required("rope_scaling").Required("factor").AsNumberIn(ModelLimits.RopeScalingFactor))
            .Message.ShouldStartWith("config.json: field 'rope_scaling.factor' must be in [0.001, 10,000], but is ");
        Should.Throw<JsonFieldException>(() => root.Required("rope_scaling").Required("type").AsString())
            .Message.ShouldBe("config.json: field 'rope_scaling.type' must be a string, but is the number 8.");
        Should.Throw<JsonFieldException>(() => root.Required("ids").Items.Single().Items.Select(id => id.AsLongIn(new ValueRange(0, 10))).ToArray())
            .Message.ShouldBe("config.json: field 'ids[0][1]' must be in [0, 10], but is -2.");
        Should.Throw<JsonFieldException>(() => root.Required("dim").AsLongIn(ModelLimits.Hidden))
            .Message.ShouldBe("config.json: field 'dim' must be an integer, but is the number 64.5.");
        Should.Throw<JsonFieldException>(() => root.Required("ids").Required("x"))
            .Message.ShouldBe("config.json: field 'ids' must be an object, but is an array.");
        Should.Throw<JsonFieldException>(() => root.Required("rope_theta")).Message.ShouldBe("config.json: field 'rope_theta' is missing.");
        root.Optional("flag").ShouldBeNull();
        root.Optional("absent").ShouldBeNull();
        Should.Throw<JsonFieldException>(() => root.Required("flag").AsBool()).Message.ShouldBe("config.json: field 'flag' must be true or false, but is null.");
    }
}
