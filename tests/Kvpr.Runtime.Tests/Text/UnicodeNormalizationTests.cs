using System.Text;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// Unicode normalization without ICU against UAX #15's examples (as Python's unicodedata normalizes them): composition,
/// canonical ordering of marks, Hangul by arithmetic, composition exclusions and singletons, compatibility forms.
/// </summary>
public class UnicodeNormalizationTests
{
    [Theory]
    [InlineData(NormalizationForm.FormC, "e\u0301", "\u00E9")]
    [InlineData(NormalizationForm.FormC, "\u1100\u1161\u11A8", "\uAC01")]
    [InlineData(NormalizationForm.FormD, "\uAC01", "\u1100\u1161\u11A8")]
    [InlineData(NormalizationForm.FormC, "a\u0301\u0328", "\u0105\u0301")]
    [InlineData(NormalizationForm.FormC, "\u1E0B\u0323", "\u1E0D\u0307")]
    [InlineData(NormalizationForm.FormD, "\u00C5\u0327", "A\u0327\u030A")]
    [InlineData(NormalizationForm.FormC, "\u0958", "\u0915\u093C")]
    [InlineData(NormalizationForm.FormC, "\u212B", "\u00C5")]
    [InlineData(NormalizationForm.FormKC, "\uFB01 \u2167", "fi VIII")]
    [InlineData(NormalizationForm.FormKD, "\u2460", "1")]
    [InlineData(NormalizationForm.FormC, "plain ASCII \u00E9", "plain ASCII \u00E9")]
    public void Normalizes_as_the_unicode_standard_says(NormalizationForm form, string text, string expected) =>
        UnicodeNormalization.Normalize(text, form).ShouldBe(expected);
}
