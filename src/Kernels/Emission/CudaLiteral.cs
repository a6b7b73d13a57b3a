using System.Globalization;

namespace Kvpr.Kernels.Emission
{
    /// <summary>C++ literals for values computed in C#.</summary>
    internal static class CudaLiteral
    {
        /// <summary>A float literal that round-trips the single-precision value, e.g. 1E-05f, 10000.0f.</summary>
        public static string Float(double value)
        {
            string text = ((float)value).ToString("R", CultureInfo.InvariantCulture);
            if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0)
                text += ".0";
            return text + "f";
        }

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
