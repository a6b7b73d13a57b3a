namespace Kvpr.Generators.Emitting
{
    /// <summary>One source file the generator adds to the compilation.</summary>
    internal sealed record GeneratedFile(string HintName, string Text);
}
