namespace Kvpr.Generators.Model
{
    /// <summary>A type declaration's keyword and name with type parameters, e.g. ("class", "Opt6_7B").</summary>
    internal sealed record TypeHeader(string Keyword, string Name);
}
