using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kvpr.Generators.Model
{
    /// <summary>A diagnostic to report later, in an equatable form (descriptor, location, message arguments).</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs) =>
            new(descriptor, location, new EquatableArray<string>(messageArgs));

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, MessageArgs.Cast<object>().ToArray());
    }
}
