using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>Times work queued on one stream with a pair of device events: a warm-up run, then the median of repetitions.</summary>
    public sealed class EventTimer
    {
        private readonly CudaStream _stream;
        private readonly CudaEvent _start, _end;

        public EventTimer(CudaStream stream, CudaEvent start, CudaEvent end)
        {
            _stream = stream;
            _start = start;
            _end = end;
        }

        /// <summary>Median device seconds of <paramref name="enqueue"/>, which must queue its work on this timer's stream.</summary>
        public double Median(int repetitions, Action enqueue)
        {
            enqueue();
            _stream.Synchronize();
            var seconds = new double[repetitions];
            for (int i = 0; i < repetitions; i++)
            {
                _stream.Record(_start);
                enqueue();
                _stream.Record(_end);
                seconds[i] = CudaEvent.ElapsedSeconds(_start, _end);
            }
            Array.Sort(seconds);
            return repetitions % 2 == 1 ? seconds[repetitions / 2] : (seconds[repetitions / 2 - 1] + seconds[repetitions / 2]) / 2;
        }
    }
}
