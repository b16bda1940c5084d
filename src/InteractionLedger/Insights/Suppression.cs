namespace InteractionLedger.Insights;

/// <summary>
/// Complementary suppression. A figure of too few customers is suppressed; but when it is the only one suppressed among
/// figures that add up to a total shown elsewhere (a brand's channels and the brand's row, the brands and the group's row,
/// intensity levels and the month's customers), the total minus the others gives it back. So another figure of each
/// such set is suppressed with it, the smallest, until no set has a single figure hidden. Not one, though, that is the
/// last figure another set could hide: that set would be left with a single figure hidden and nothing to hide beside it.
/// </summary>
public static class Suppression
{
    /// <param name="sizes">Each figure's size (the customers or contacts it counts), by index, in an order that does not
    /// change from one request to the next (ties go to the lower index: the same figure is hidden every time).</param>
    /// <param name="suppressed">The figures already suppressed; the ones to suppress with them are added.</param>
    /// <param name="sets">Sets of figures (indices) whose sum is shown elsewhere; sets whose total is itself suppressed are not given.</param>
    /// <param name="published">Figures shown by another request (a month, beside its weeks): they count as shown and are
    /// never chosen to be hidden here.</param>
    public static void Complete(IReadOnlyList<long> sizes, ISet<int> suppressed, IEnumerable<IReadOnlyList<int>> sets, ISet<int>? published = null)
    {
        var groups = sets.Where(s => s.Count > 1).ToList();
        var setsOf = groups.SelectMany(set => set.Select(i => (i, set))).ToLookup(x => x.i, x => x.set);
        bool Candidate(int i) => !suppressed.Contains(i) && sizes[i] > 0 && published?.Contains(i) != true;
        // Hiding a figure that is the last one another set could hide would leave that set with one figure hidden and
        // nothing to hide beside it (the movements out of a level, whose sum another row shows, with a single one made).
        bool Strands(int i) => setsOf[i].Any(other =>
            !other.Any(j => j != i && suppressed.Contains(j) && sizes[j] > 0) && !other.Any(j => j != i && Candidate(j)));
        bool added;
        do
        {
            added = false;
            foreach (var set in groups)
            {
                // A zero, hidden or shown, hides nothing: the sum of the hidden ones would be the one figure's, and its
                // partner must hide something.
                if (set.Count(i => suppressed.Contains(i) && sizes[i] > 0) != 1) continue;
                var candidates = set.Where(Candidate).OrderBy(i => sizes[i]).ThenBy(i => i).ToList();
                if (candidates.Count == 0) continue;
                suppressed.Add(candidates.Where(i => !Strands(i)).Cast<int?>().FirstOrDefault() ?? candidates[0]);
                added = true;
            }
        } while (added);
    }
}
