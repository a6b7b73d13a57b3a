using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kvpr.Generators.Model
{
    /// <summary>
    /// Where a diagnostic points, without holding a <see cref="SyntaxTree"/>: keeping a real <see cref="Location"/>
    /// in a pipeline value would root the old compilation and make every value differ after any edit.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public static LocationInfo? From(Location location) => location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}
