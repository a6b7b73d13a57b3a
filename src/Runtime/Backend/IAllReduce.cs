namespace Kvpr.Backend
{
    /// <summary>
    /// One rank's side of a sum across the devices of a tensor-parallel group: every rank calls it for a region of the
    /// same shape in the same order, and each comes back holding the sum of all the ranks' copies.
    /// </summary>
    public interface IAllReduce
    {
        /// <summary>Replaces the rows of <paramref name="rows"/> (a dense view) by their sum over the ranks, in order with the work on <paramref name="stream"/>.</summary>
        void Sum(IStream stream, DeviceMatrix rows);
    }
}
