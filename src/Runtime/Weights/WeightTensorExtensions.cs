namespace Kvpr
{
    internal static class WeightTensorExtensions
    {
        /// <summary>The tensor's element count: the product of its shape.</summary>
        public static long Elements(this IWeightTensor tensor)
        {
            long elements = 1;
            foreach (long d in tensor.Shape)
                elements *= d;
            return elements;
        }
    }
}
