namespace Kvpr.Generators.Model
{
    /// <summary>Where the named attribute argument that set <paramref name="Field"/> was written.</summary>
    internal sealed record ArgumentLocation(string Field, LocationInfo Location);
}
