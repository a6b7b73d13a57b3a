using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kvpr.Cli
{
    /// <summary>How the tool writes JSON that carries text: non-ASCII characters as they are, not as \u escapes.</summary>
    internal static class CliJson
    {
        public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
