namespace Kvpr
{
    /// <summary>One problem found in a model, profile or workload: a stable code, the field at fault and what to change.</summary>
    public sealed record SpecError(string Code, string Field, string Message)
    {
        public override string ToString() => $"{Code}: {Message}";
    }
}
