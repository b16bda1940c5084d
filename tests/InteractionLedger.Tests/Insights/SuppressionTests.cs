using InteractionLedger.Insights;

namespace InteractionLedger.Tests.Insights;

/// <summary>Complementary suppression on its own, on the shapes an outside attack found.</summary>
public sealed class complementary_suppression
{
    [Fact]
    public void a_total_hidden_as_a_partner_hides_one_of_its_parts_too()
    {
        // The group's 8 = Télécom's 5 + Énergie's 3 (too few customers); Télécom's 5 is all phone.
        long[] sizes = [8, 5, 3, 5];
        var hidden = new HashSet<int> { 2 };
        Suppression.Complete(sizes, hidden, [[0, 1, 2], [1, 3]]);
        // Télécom's total goes with Énergie's, and with it its only channel, which would give it back.
        hidden.ShouldBe([1, 2, 3], ignoreOrder: true);
    }

    [Fact]
    public void a_figure_another_request_shows_is_never_the_one_hidden()
    {
        // A month of 10 (shown by the monthly request) = a week of 2 (too few) + a week of 8.
        long[] sizes = [10, 2, 8];
        var hidden = new HashSet<int> { 1 };
        Suppression.Complete(sizes, hidden, [[0, 1, 2]], published: new HashSet<int> { 0 });
        hidden.ShouldBe([1, 2], ignoreOrder: true);
    }

    [Fact]
    public void a_partner_is_never_the_only_figure_another_set_could_hide()
    {
        // Into a level: the level's 10 = new 2 (too few) + stayed 8. Out of the level (its sum, last month's 8, shown
        // in last month's row): stayed 8 + left 0. Hiding "stayed" would leave it the only figure hidden out of the level,
        // equal to last month's 8: the level itself goes instead.
        long[] sizes = [10, 2, 8, 0];
        var hidden = new HashSet<int> { 1 };
        Suppression.Complete(sizes, hidden, [[0, 1, 2], [2, 3]]);
        hidden.ShouldBe([0, 1], ignoreOrder: true);
    }

    [Fact]
    public void a_hidden_zero_does_not_cover_the_one_figure_hidden_beside_it()
    {
        // The group's 15 = Télécom's 11 + Énergie's 3 + Banque's 1 + Voyages' 0 (its row hidden, of too few customers).
        long[] sizes = [15, 11, 3, 1, 0];
        var hidden = new HashSet<int> { 3, 4 };
        Suppression.Complete(sizes, hidden, [[0, 1, 2, 3, 4]]);
        hidden.ShouldBe([2, 3, 4], ignoreOrder: true);
    }

    [Fact]
    public void the_same_figure_is_hidden_every_time_and_a_zero_hides_nothing()
    {
        long[] sizes = [12, 2, 0, 5, 5];
        var first = new HashSet<int> { 1 };
        var second = new HashSet<int> { 1 };
        Suppression.Complete(sizes, first, [[0, 1, 2, 3, 4]]);
        Suppression.Complete(sizes, second, [[0, 1, 2, 3, 4]]);
        first.ShouldBe([1, 3], ignoreOrder: true);
        second.ShouldBe(first, ignoreOrder: true);
    }
}
