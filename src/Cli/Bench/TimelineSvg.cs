using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Kvpr.Graphs;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// Draws one step's timeline as an SVG picture for the docs: a lane per stream, a bar per node that does
    /// something, coloured by kind of work (transfers, KV recompute, attention, MLP, the rest), with a time axis.
    /// </summary>
    internal static class TimelineSvg
    {
        private const int Width = 1200;
        private const int LaneHeight = 28;
        private const int LabelWidth = 120;
        private const int Top = 40;

        private static readonly (string Name, string Colour)[] Kinds =
        {
            ("transfer", "#4e79a7"), ("recompute", "#f28e2b"), ("attention", "#59a14f"), ("MLP", "#e15759"), ("other", "#9c9c9c"),
        };

        public static string Write(SimulatedStep step, string title)
        {
            var streams = step.Graph.Streams.ToArray();
            double scale = (Width - LabelWidth - 20) / Math.Max(step.StepSeconds, 1e-12);
            int height = Top + streams.Length * LaneHeight + 60;
            var svg = new StringBuilder();
            svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"));
            svg.AppendLine(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>"));
            svg.AppendLine(Invariant($"<text x=\"10\" y=\"20\" font-size=\"14\">{Escape(title)}</text>"));
            // Grid first, so the bars cover it.
            int axis = Top + streams.Length * LaneHeight + 10;
            double stepMs = step.StepSeconds * 1e3;
            double tick = TickMs(stepMs);
            for (double t = 0; t <= stepMs + 1e-9; t += tick)
            {
                double x = LabelWidth + t / 1e3 * scale;
                svg.AppendLine(Invariant($"<line x1=\"{x:F2}\" y1=\"{Top}\" x2=\"{x:F2}\" y2=\"{axis}\" stroke=\"#ddd\"/><text x=\"{x:F2}\" y=\"{axis + 14}\" text-anchor=\"middle\">{t:G4} ms</text>"));
            }
            for (int lane = 0; lane < streams.Length; lane++)
            {
                int y = Top + lane * LaneHeight;
                svg.AppendLine(Invariant($"<text x=\"10\" y=\"{y + 18}\">{streams[lane]}</text>"));
                foreach (var timing in step.Timings.Where(t => !t.IsNoOp && t.Node.Stream == streams[lane]))
                {
                    double x = LabelWidth + timing.StartSeconds * scale;
                    double w = Math.Max(timing.Seconds * scale, 0.5);
                    string layer = timing.Node.Layer == GraphNode.NoLayer ? "" : $" L{timing.Node.Layer}";
                    svg.AppendLine(Invariant($"<rect x=\"{x:F2}\" y=\"{y + 4}\" width=\"{w:F2}\" height=\"{LaneHeight - 8}\" fill=\"{Kinds[KindOf(timing.Node.Op)].Colour}\"><title>{timing.Node.Op}{layer}: {timing.Seconds * 1e3:F3} ms</title></rect>"));
                }
            }
            for (int k = 0; k < Kinds.Length; k++)
                svg.AppendLine(Invariant($"<rect x=\"{LabelWidth + k * 110}\" y=\"{axis + 26}\" width=\"12\" height=\"12\" fill=\"{Kinds[k].Colour}\"/><text x=\"{LabelWidth + k * 110 + 16}\" y=\"{axis + 37}\">{Kinds[k].Name}</text>"));
            return svg.AppendLine("</svg>").ToString();
        }

        private static int KindOf(OpKind op) => op switch
        {
            OpKind.LoadWeights or OpKind.LoadActivations or OpKind.LoadKv or OpKind.StoreNewToken => 0,
            OpKind.RecomputeKv => 1,
            OpKind.AttentionBlock => 2,
            OpKind.MlpBlock => 3,
            _ => 4,
        };

        /// <summary>A round tick spacing (1, 2 or 5 times a power of ten) giving about ten ticks.</summary>
        private static double TickMs(double spanMs)
        {
            double raw = Math.Max(spanMs, 1e-6) / 10;
            double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double unit = raw / power;
            return power * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10);
        }

        private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
