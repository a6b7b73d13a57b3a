using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

public class MicroBatchingTests
{
    [Theory]
    [InlineData(ScheduleKind.RowByRow, 4, 7, new[] { 7 })]
    [InlineData(ScheduleKind.ColumnByColumn, 3, 7, new[] { 3, 2, 2 })]
    [InlineData(ScheduleKind.ColumnByColumn, 4, 2, new[] { 1, 1 })]
    [InlineData(ScheduleKind.ColumnByColumn, 2, 1, new[] { 1 })]
    public void Sequences_split_as_evenly_as_possible_into_at_most_the_micro_batches_asked_for(ScheduleKind schedule, int microBatches, int sequences, int[] sizes) =>
        MicroBatching.Sizes(schedule, microBatches, sequences).ShouldBe(sizes);

    [Fact]
    public void Several_micro_batches_plan_for_throughput_one_for_latency_and_each_objective_has_its_schedule()
    {
        var grouped = MicroBatching.Workload(ScheduleKind.ColumnByColumn, 3, 7, promptLength: 10, maxNewTokens: 5);
        grouped.ShouldBe(new DecodeWorkload { Objective = Objective.Throughput, Batch = 3, MicroBatches = 3, PromptLength = 10, MaxNewTokens = 5 });
        MicroBatching.Workload(ScheduleKind.ColumnByColumn, 3, 1, 10, 5).Objective.ShouldBe(Objective.Latency);
        MicroBatching.ScheduleFor(Objective.Throughput).ShouldBe(ScheduleKind.ColumnByColumn);
        MicroBatching.ScheduleFor(Objective.Latency).ShouldBe(ScheduleKind.RowByRow);
    }
}
