namespace Kvpr.Generators
{
    /// <summary>Names of the pipeline steps, so tests can check which steps reran after an edit.</summary>
    internal static class TrackingNames
    {
        public const string Models = "Kvpr.Models";
        public const string Profile = "Kvpr.Profile";
        public const string Runtime = "Kvpr.Runtime";
        public const string LanguageVersion = "Kvpr.LanguageVersion";
    }
}
