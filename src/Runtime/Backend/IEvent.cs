namespace Kvpr.Backend
{
    /// <summary>A point on one stream that work on another stream can wait for; reusable after each wait.</summary>
    public interface IEvent
    {
    }
}
