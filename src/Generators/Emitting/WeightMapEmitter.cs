using System.Linq;
using Kvpr.Generators.Model;

namespace Kvpr.Generators.Emitting
{
    /// <summary>The weight map as an aligned table: Hugging Face tensor name → role, layer, shape, tying.</summary>
    internal static class WeightMapEmitter
    {
        public static GeneratedFile Emit(ModelDeclaration model, WeightMap map)
        {
            var header = new[]
            {
                $"Every tensor the engine loads, by its Hugging Face name; element type {model.Spec.WeightType} throughout.",
                "A tied entry may be absent from a checkpoint: the engine then reads the tensor it is tied to.",
            };
            return PartialTypeWriter.Write(model, "WeightMap", "weight map", header, writer =>
            {
                writer.Line("/// <summary>Hugging Face tensor names → engine weight slots (role, layer) with their shapes.</summary>")
                    .Line("public static global::Kvpr.WeightMap WeightMap => Blueprint.WeightMap;")
                    .Line();
                var names = map.Entries.Select(e => Literals.String(e.Name) + ",").ToArray();
                var roles = map.Entries.Select(e => Literals.Enum(e.Role) + ",").ToArray();
                int nameWidth = names.Max(n => n.Length), roleWidth = roles.Max(r => r.Length);
                using (writer.Line("private static global::Kvpr.WeightMap CreateWeightMap() => new(").Indent("[", "]);"))
                {
                    writer.Line($"//  {"tensor".PadRight(nameWidth)} {"role".PadRight(roleWidth)} layer shape");
                    string? group = null;
                    for (int i = 0; i < map.Entries.Count; i++)
                    {
                        var entry = map.Entries[i];
                        string entryGroup = entry.Layer is int index ? $"// layer {index}" : "// model-level weights";
                        if (entryGroup != group)
                            writer.Line(entryGroup);
                        group = entryGroup;
                        string layerText = (entry.Layer is int l ? Literals.Int(l) : "null") + ",";
                        string shape = "[" + string.Join(", ", entry.Shape.Select(d => Literals.Int(d))) + "]";
                        string tied = entry.TiedTo is null ? "" : $", TiedTo: {Literals.String(entry.TiedTo)}";
                        writer.Line($"new({names[i].PadRight(nameWidth)} {roles[i].PadRight(roleWidth)} {layerText.PadRight(5)} {shape}{tied}),");
                    }
                }
            });
        }
    }
}
