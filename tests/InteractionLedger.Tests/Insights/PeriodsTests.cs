using InteractionLedger.Http;
using InteractionLedger.Insights;

namespace InteractionLedger.Tests.Insights;

public sealed class when_periods_are_asked_for
{
    [Fact]
    public void weeks_end_where_the_last_month_that_is_over_ends()
    {
        // On the 20th, the month's first two weeks are over but their month is not: suppressed with it, they would be
        // suppressed one way now and another once it is over. No week of it is shown yet, by default or when asked.
        var now = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        var policy = new InsightsPolicy();
        var errors = new InputErrors();
        Periods.Read(null, null, Granularity.Week, now, policy, errors)!.To.ShouldBe(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        errors.Any.ShouldBeFalse();
        Periods.Read(new DateOnly(2026, 11, 8), new DateOnly(2026, 11, 15), Granularity.Week, now, policy, errors).ShouldBeNull();
        errors.Any.ShouldBeTrue();
    }
}
