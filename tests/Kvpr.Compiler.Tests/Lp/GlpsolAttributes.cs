namespace Kvpr.Compiler.Tests.Lp;

/// <summary>A fact that needs glpsol; skipped, not failed, where GLPK is not installed.</summary>
public sealed class GlpsolFactAttribute : FactAttribute
{
    public GlpsolFactAttribute()
    {
        if (Glpsol.Executable is null)
            Skip = Glpsol.MissingReason;
    }
}

/// <summary>A theory that needs glpsol; skipped, not failed, where GLPK is not installed.</summary>
public sealed class GlpsolTheoryAttribute : TheoryAttribute
{
    public GlpsolTheoryAttribute()
    {
        if (Glpsol.Executable is null)
            Skip = Glpsol.MissingReason;
    }
}
