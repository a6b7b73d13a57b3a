using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

public class PlanTableTests
{
    private static PlanTable Table() => new(new[]
    {
        new PlanRow(8, 100, 199, 0.5, new StepTimes(10, 20, 5), new StepTimes(20, 40, 10)),
        new PlanRow(8, 200, 200, 0.25, new StepTimes(30, 41, 11), new StepTimes(30, 41, 11)),
        new PlanRow(32, 100, 200, 0.75, new StepTimes(40, 80, 20), new StepTimes(80, 160, 40)),
    });

    [Fact]
    public void Lookup_uses_the_bucket_holding_the_length_inclusive_at_both_ends()
    {
        var table = Table();
        table.Lookup(8, 100).ShouldBe(new StepPlan(8, 100, 50, new StepTimes(10, 20, 5)));
        table.Lookup(8, 199).ShouldBe(new StepPlan(8, 199, 100, new StepTimes(20, 40, 10)));
        table.Lookup(8, 200).ShouldBe(new StepPlan(8, 200, 50, new StepTimes(30, 41, 11)));
    }

    [Fact]
    public void Times_are_interpolated_inside_a_bucket()
    {
        var step = Table().Lookup(32, 150);
        step.RecomputeTokens.ShouldBe(113); // 0.75 · 150 = 112.5, rounded away from zero
        step.Times.ShouldBe(new StepTimes(60, 120, 30));
    }

    [Fact]
    public void A_batch_between_buckets_uses_the_next_larger_one_and_a_larger_batch_the_largest()
    {
        var table = Table();
        table.Lookup(9, 150).RecomputeTokens.ShouldBe(113);
        table.Lookup(1, 150).RecomputeTokens.ShouldBe(75);
        table.Lookup(64, 100).Times.PredictedMs.ShouldBe(40);
    }

    [Fact]
    public void Lengths_outside_the_table_use_the_nearest_bucket_and_l_stays_within_the_length()
    {
        var table = Table();
        var before = table.Lookup(8, 10);
        before.RecomputeTokens.ShouldBe(5);
        before.Times.ShouldBe(new StepTimes(10, 20, 5));
        table.Lookup(8, 1000).RecomputeTokens.ShouldBe(250);
        table.Lookup(8, 0).RecomputeTokens.ShouldBe(0);
    }

    [Fact]
    public void Tables_and_plans_built_from_the_same_data_are_equal()
    {
        Table().ShouldBe(Table());
        Table().GetHashCode().ShouldBe(Table().GetHashCode());
        var workload = new DecodeWorkload { Batch = 8, PromptLength = 100, MaxNewTokens = 100 };
        var plan = new DecodePlan("m", workload, "p", new Residency(1, 2), Table(), 10, 20);
        plan.ShouldBe(new DecodePlan("m", workload, "p", new Residency(1, 2), Table(), 10, 20));
        plan.ShouldNotBe(plan with { Table = new PlanTable(new[] { Table().Rows[0] }) });
    }

    [Fact]
    public void Overlapping_or_empty_rows_are_rejected()
    {
        var times = new StepTimes(1, 1, 1);
        Should.Throw<System.ArgumentException>(() => new PlanTable(new[] { new PlanRow(8, 100, 150, 0.5, times, times), new PlanRow(8, 150, 200, 0.5, times, times) }))
            .Message.ShouldContain("overlap");
        Should.Throw<System.ArgumentException>(() => new PlanTable(new[] { new PlanRow(8, 100, 99, 0.5, times, times) }));
        Should.Throw<System.ArgumentException>(() => new PlanTable(new[] { new PlanRow(8, 100, 199, 1.5, times, times) }));
        Should.Throw<System.ArgumentException>(() => new PlanTable(System.Array.Empty<PlanRow>()));
    }
}
