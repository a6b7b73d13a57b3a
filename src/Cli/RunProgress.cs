using System;
using System.Diagnostics;
using Spectre.Console;

namespace Kvpr.Cli
{
    /// <summary>
    /// Progress of <c>kvpr run</c>'s loading and generation: Spectre.Console bars when stdout is a terminal
    /// (cleared once done, so only the results remain), nothing otherwise. Also clocks the prefill.
    /// </summary>
    internal sealed class RunProgress
    {
        private readonly ProgressContext? _context;

        private RunProgress(ProgressContext? context) => _context = context;

        public static T Show<T>(bool interactive, Func<RunProgress, T> work) => interactive
            ? AnsiConsole.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(context => work(new RunProgress(context)))
            : work(new RunProgress(null));

        /// <summary>Runs <paramref name="load"/> under an indeterminate bar named <paramref name="description"/>.</summary>
        public T Load<T>(string description, Func<T> load)
        {
            var task = _context?.AddTask(description);
            if (task is not null)
                task.IsIndeterminate = true;
            var result = load();
            Complete(task);
            return result;
        }

        /// <summary>Runs <paramref name="generate"/> with a step counter that advances a bar of <paramref name="maxSteps"/> steps.</summary>
        public (T Result, TimeSpan Prefill, TimeSpan Total) Generate<T>(int maxSteps, Func<IProgress<StepStatistics>, T> generate)
        {
            var task = _context?.AddTask("Generating", maxValue: maxSteps);
            var steps = new StepCounter(task);
            var result = generate(steps);
            Complete(task);
            return (result, steps.Prefill, steps.Clock.Elapsed);
        }

        private static void Complete(ProgressTask? task)
        {
            if (task is null)
                return;
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
        }

        /// <summary>Called synchronously by the engine after each step.</summary>
        private sealed class StepCounter : IProgress<StepStatistics>
        {
            private readonly ProgressTask? _task;

            public StepCounter(ProgressTask? task) => _task = task;

            public Stopwatch Clock { get; } = Stopwatch.StartNew();

            public TimeSpan Prefill { get; private set; }

            public void Report(StepStatistics value)
            {
                if (value.IsPrefill)
                    Prefill = Clock.Elapsed;
                _task?.Increment(1);
            }
        }
    }
}
