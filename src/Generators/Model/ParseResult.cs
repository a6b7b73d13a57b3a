namespace Kvpr.Generators.Model
{
    /// <summary>What the parser found for one model class: the model when it is valid, and the problems it saw.</summary>
    internal sealed record ParseResult(ModelDeclaration? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
