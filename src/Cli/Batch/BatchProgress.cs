using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Spectre.Console;

namespace Kvpr.Cli.Batch
{
    /// <summary>
    /// Progress of <c>kvpr generate</c>: requests done, tokens per second and the time left, as a Spectre.Console
    /// bar on a terminal, otherwise as a plain line after each batch.
    /// </summary>
    internal sealed class BatchProgress
    {
        private readonly ProgressTask? _task;
        private readonly TextWriter? _lines;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly int _total;
        private int _done;
        private long _tokens;

        private BatchProgress(int total, ProgressTask? task, TextWriter? lines)
        {
            _total = total;
            _task = task;
            _lines = lines;
        }

        /// <summary>Runs <paramref name="work"/> with a bar when <paramref name="interactive"/>, else with plain lines on <paramref name="lines"/>.</summary>
        public static T Show<T>(bool interactive, int total, TextWriter lines, Func<BatchProgress, T> work) => interactive
            ? AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context => work(new BatchProgress(total, context.AddTask(Describe(0, total, 0), maxValue: Math.Max(total, 1)), null)))
            : work(new BatchProgress(total, null, lines));

        /// <summary>A request has finished (or failed) with <paramref name="tokens"/> generated tokens.</summary>
        public void Finished(int tokens)
        {
            _done++;
            _tokens += tokens;
            if (_task is not null)
            {
                _task.Increment(1);
                _task.Description = Describe(_done, _total, TokensPerSecond);
            }
        }

        /// <summary>A batch has finished: the plain report's moment.</summary>
        public void BatchDone() => _lines?.WriteLine($"{Describe(_done, _total, TokensPerSecond)}, {Eta()} left");

        private double TokensPerSecond => _clock.Elapsed.TotalSeconds > 0 ? _tokens / _clock.Elapsed.TotalSeconds : 0;

        private string Eta()
        {
            if (_done == 0)
                return "unknown time";
            var left = TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / _done * (_total - _done));
            return left.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        }

        private static string Describe(int done, int total, double tokensPerSecond) =>
            $"{done}/{total} requests, {tokensPerSecond.ToString("F1", CultureInfo.InvariantCulture)} tokens/s";
    }
}
