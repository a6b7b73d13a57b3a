using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Kvpr.Text
{
    /// <summary>
    /// Unicode normalization (UAX #15) from the data in unicode-normalization.txt (made by make_unicode_normalization.py):
    /// the toolkit runs with invariant globalization, where .NET's <see cref="string.Normalize()"/> leaves text as it is.
    /// </summary>
    internal static class UnicodeNormalization
    {
        private const string ResourceName = "Kvpr.Text.unicode-normalization.txt";

        // Hangul syllables decompose into and compose from their jamo by arithmetic (Unicode 3.12).
        private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7, LCount = 19, VCount = 21, TCount = 28, SCount = LCount * VCount * TCount;

        private static readonly Lazy<Data> Tables = new(Load);

        private sealed record Data(Dictionary<int, int> CombiningClass, Dictionary<int, (int[] CodePoints, bool Compatibility)> Decomposition,
            Dictionary<(int, int), int> Composition);

        public static string Normalize(string text, NormalizationForm form)
        {
            bool compatibility = form is NormalizationForm.FormKC or NormalizationForm.FormKD, composed = form is NormalizationForm.FormC or NormalizationForm.FormKC;
            // Below these every character stays as it is: no decomposition (and below U+0300 none that does not recompose).
            char unchangedBelow = compatibility ? '\u00A0' : composed ? '\u0300' : '\u00C0';
            if (text.All(c => c < unchangedBelow))
                return text;
            var data = Tables.Value;
            var codePoints = new List<int>(text.Length);
            foreach (var rune in text.EnumerateRunes())
                Decompose(rune.Value, compatibility, data, codePoints);
            SortMarks(codePoints, data);
            if (composed)
                Compose(codePoints, data);
            var result = new StringBuilder(text.Length);
            foreach (int codePoint in codePoints)
                result.Append(char.ConvertFromUtf32(codePoint));
            return result.ToString();
        }

        private static void Decompose(int codePoint, bool compatibility, Data data, List<int> output)
        {
            if (codePoint is >= SBase and < SBase + SCount)
            {
                int index = codePoint - SBase;
                output.Add(LBase + index / (VCount * TCount));
                output.Add(VBase + index % (VCount * TCount) / TCount);
                if (index % TCount != 0)
                    output.Add(TBase + index % TCount);
            }
            else if (data.Decomposition.TryGetValue(codePoint, out var decomposition) && (compatibility || !decomposition.Compatibility))
            {
                foreach (int part in decomposition.CodePoints)
                    Decompose(part, compatibility, data, output);
            }
            else
            {
                output.Add(codePoint);
            }
        }

        private static int ClassOf(int codePoint, Data data) => data.CombiningClass.TryGetValue(codePoint, out int value) ? value : 0;

        /// <summary>Canonical ordering: each run of marks stably sorted by combining class.</summary>
        private static void SortMarks(List<int> codePoints, Data data)
        {
            for (int i = 1; i < codePoints.Count; i++)
            {
                int current = codePoints[i], currentClass = ClassOf(current, data);
                if (currentClass == 0)
                    continue;
                int j = i;
                for (; j > 0 && ClassOf(codePoints[j - 1], data) > currentClass; j--)
                    codePoints[j] = codePoints[j - 1];
                codePoints[j] = current;
            }
        }

        /// <summary>Canonical composition: each character joins the last starter before it unless a character between blocks it.</summary>
        private static void Compose(List<int> codePoints, Data data)
        {
            var output = new List<int>(codePoints.Count);
            int starter = -1, lastClass = 0;
            foreach (int codePoint in codePoints)
            {
                int currentClass = ClassOf(codePoint, data);
                bool blocked = output.Count - 1 > starter && (lastClass == 0 || lastClass >= currentClass);
                if (starter >= 0 && !blocked && TryCompose(output[starter], codePoint, data) is { } composite)
                {
                    output[starter] = composite;
                    continue;
                }
                if (currentClass == 0)
                    starter = output.Count;
                output.Add(codePoint);
                lastClass = currentClass;
            }
            codePoints.Clear();
            codePoints.AddRange(output);
        }

        private static int? TryCompose(int first, int second, Data data)
        {
            if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
                return SBase + ((first - LBase) * VCount + second - VBase) * TCount;
            if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
                return first + second - TBase;
            return data.Composition.TryGetValue((first, second), out int composite) ? composite : null;
        }

        private static Data Load()
        {
            using var stream = typeof(UnicodeNormalization).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
            using var reader = new StreamReader(stream);
            var data = new Data(new(), new(), new());
            static int Hex(string value) => int.Parse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (line.StartsWith('#'))
                    continue;
                // code point;combining class;decomposition ("k" before a compatibility one);"c" if the pair recomposes
                string[] fields = line.Split(';');
                int codePoint = Hex(fields[0]);
                if (fields[1] != "0")
                    data.CombiningClass[codePoint] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (fields[2].Length == 0)
                    continue;
                bool compatibility = fields[2].StartsWith('k');
                int[] parts = fields[2].TrimStart('k').Split(' ').Select(Hex).ToArray();
                data.Decomposition[codePoint] = (parts, compatibility);
                if (fields[3] == "c")
                    data.Composition[(parts[0], parts[1])] = codePoint;
            }
            return data;
        }
    }
}
