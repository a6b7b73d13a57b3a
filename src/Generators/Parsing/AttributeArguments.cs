using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kvpr.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kvpr.Generators.Parsing
{
    /// <summary>The bound values of one attribute application, with the source location of each argument.</summary>
    internal sealed class AttributeArguments
    {
        private readonly AttributeData _data;
        private readonly AttributeSyntax? _syntax;
        private readonly Dictionary<string, TypedConstant> _named;

        private AttributeArguments(AttributeData data, AttributeSyntax? syntax)
        {
            _data = data;
            _syntax = syntax;
            _named = data.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
        }

        /// <summary>The arguments, or null when the compiler could not bind one of them (it reports that itself).</summary>
        public static AttributeArguments? Read(AttributeData data, CancellationToken cancellation)
        {
            bool bound = data.ConstructorArguments.Length == 1
                && data.ConstructorArguments.Concat(data.NamedArguments.Select(a => a.Value)).All(c => c.Kind != TypedConstantKind.Error && c.Value is not null);
            return bound ? new AttributeArguments(data, data.ApplicationSyntaxReference?.GetSyntax(cancellation) as AttributeSyntax) : null;
        }

        public LocationInfo? AttributeLocation => LocationInfo.From(_syntax);

        public bool Has(string name) => _named.ContainsKey(name);

        public T Constructor<T>(int index) => (T)_data.ConstructorArguments[index].Value!;

        public T Named<T>(string name, T fallback = default!) => _named.TryGetValue(name, out var value) ? (T)value.Value! : fallback;

        public LocationInfo? ConstructorLocation(int index)
        {
            var positional = _syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ElementAtOrDefault(index);
            return LocationInfo.From(positional) ?? AttributeLocation;
        }

        /// <summary>Where each named argument was written.</summary>
        public IEnumerable<ArgumentLocation> NamedLocations() => _named.Keys
            .Select(name => (name, location: NamedLocation(name)))
            .Where(a => a.location is not null)
            .Select(a => new ArgumentLocation(a.name, a.location!));

        /// <summary>The location of <c>Name = value</c>, or of the whole attribute when the argument was not written.</summary>
        public LocationInfo? NamedLocation(string name)
        {
            var argument = _syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return LocationInfo.From(argument) ?? AttributeLocation;
        }
    }
}
