using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// Accumulates one readable CUDA translation unit: free code (constants, device helpers) and extern "C"
    /// entry points rendered from their <see cref="KernelSignature"/>, so the declaration and the metadata
    /// cannot disagree.
    /// </summary>
    internal sealed class CudaSourceBuilder
    {
        private const int CommentWidth = 110;
        private const int ParameterColumn = 50;
        private readonly StringBuilder text = new();
        private readonly List<KernelSignature> kernels = new();

        public void Section(string title)
        {
            text.Append("// ").Append(title).Append(' ').Append('=', System.Math.Max(3, CommentWidth - title.Length - 4)).Append("\n\n");
        }

        /// <summary>Appends code as written (device helpers, constants), followed by a blank line.</summary>
        public void Code(string code)
        {
            text.Append(Normalize(code).TrimEnd('\n')).Append("\n\n");
        }

        /// <summary>
        /// Appends an entry point: a comment with its description and launch shape, the extern "C" declaration
        /// with one commented parameter a line, and the body.
        /// </summary>
        /// <param name="blockConstant">The constexpr naming the block size, used in __launch_bounds__.</param>
        public void Kernel(KernelSignature signature, string blockConstant, string body)
        {
            foreach (string line in Wrap($"{signature.Name}: {signature.Description}"))
                text.Append("// ").Append(line).Append('\n');
            text.Append("// Launch: ").Append(signature.Launch).Append(".\n");
            text.Append("extern \"C\" __global__ void __launch_bounds__(").Append(blockConstant).Append(") ").Append(signature.Name).Append("(\n");
            for (int i = 0; i < signature.Parameters.Count; i++)
            {
                KernelParameter p = signature.Parameters[i];
                string restrict = p.Kind == ParameterKind.DevicePointer ? " __restrict__" : "";
                string declaration = $"    {p.CType}{restrict} {p.Name}{(i == signature.Parameters.Count - 1 ? ")" : ",")}";
                text.Append(declaration.PadRight(ParameterColumn)).Append(" // ").Append(p.Meaning).Append('\n');
            }

            text.Append("{\n");
            foreach (string line in Normalize(body).Trim('\n').Split('\n'))
                text.Append(line.Length == 0 ? "" : "    " + line).Append('\n');
            text.Append("}\n\n");
            kernels.Add(signature);
        }

        /// <summary>Appends an entry point that gives each token row one block of ROW_THREADS threads.</summary>
        public void RowKernel(string name, string description, IReadOnlyList<KernelParameter> parameters, string body) =>
            Kernel(new KernelSignature(name, description, parameters, LaunchShape.PerRow(LaunchConstants.RowThreads)), "ROW_THREADS", body);

        /// <summary>
        /// Appends an entry point launched over (rows, <paramref name="columnBlocks"/>): blockIdx.y picks a part of the
        /// row (a column tile, or a group of heads), so a few rows still give every multiprocessor blocks.
        /// </summary>
        public void RowPartKernel(string name, string description, IReadOnlyList<KernelParameter> parameters, int columnBlocks, string body) =>
            Kernel(new KernelSignature(name, description, parameters,
                new LaunchShape(LaunchExtent.Of(LaunchVariable.Rows), LaunchExtent.Of(columnBlocks), LaunchExtent.Of(1), LaunchConstants.RowThreads)), "ROW_THREADS", body);

        /// <summary>An elementwise entry point over rows of <paramref name="width"/> columns, one block per tile of ROW_TILE columns (see tile_column).</summary>
        public void RowTileKernel(string name, string description, IReadOnlyList<KernelParameter> parameters, int width, string body) =>
            RowPartKernel(name, description, parameters, (width + LaunchConstants.RowTile - 1) / LaunchConstants.RowTile, body);

        public KernelSet Build(string modelName) => new(modelName, text.ToString().TrimEnd('\n') + "\n", kernels.ToArray());

        private static string Normalize(string code) => code.Replace("\r\n", "\n");

        private static IEnumerable<string> Wrap(string paragraph)
        {
            var line = new StringBuilder();
            foreach (string word in paragraph.Split(' ').Where(w => w.Length > 0))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > CommentWidth - 3)
                {
                    yield return line.ToString();
                    line.Clear();
                }

                line.Append(line.Length > 0 ? " " : "").Append(word);
            }

            if (line.Length > 0)
                yield return line.ToString();
        }
    }
}
