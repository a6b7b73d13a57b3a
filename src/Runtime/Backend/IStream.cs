namespace Kvpr.Backend
{
    /// <summary>An ordered queue of device work; work on different streams may overlap unless ordered by events.</summary>
    public interface IStream
    {
        /// <summary>Marks the point after all work queued so far; <paramref name="completed"/> fires when it is reached.</summary>
        void Record(IEvent completed);

        /// <summary>Work queued after this call starts only once <paramref name="completed"/> has fired.</summary>
        void Wait(IEvent completed);

        /// <summary>Blocks the caller until all queued work has finished.</summary>
        void Synchronize();
    }
}
