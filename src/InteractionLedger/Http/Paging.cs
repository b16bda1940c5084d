using System.Buffers.Text;
using System.Text;

namespace InteractionLedger.Http;

/// <summary>One page of a list: the API's one paging convention.</summary>
/// <param name="Items">This page's items, in the list's order (newest first unless the route says otherwise).</param>
/// <param name="Next">Pass as <c>cursor</c> (with the same filters) to read the next page; null on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// Every list the API answers is paged the same way: <c>limit</c> (1 to 200, default 50), an opaque <c>cursor</c>
/// taken from the previous page's <c>next</c>, and <c>next</c> null on the last page. A cursor is the position after
/// which the next page starts, made for one list: a cursor of another list is refused as input, not misread.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private const string CursorRefused =
        "'cursor' is not a cursor this API returned for this list: pass the 'next' of the previous page, with the same filters.";

    /// <summary>The page size asked for, or an error on <c>limit</c>.</summary>
    public static int Limit(int? limit, InputErrors errors)
    {
        errors.Range("limit", limit, 1, MaxLimit);
        return limit ?? DefaultLimit;
    }

    public static string Cursor(string list, string position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}|{position}"));

    /// <summary>The position a cursor of <paramref name="list"/> names; null when none was given; an error on <c>cursor</c> otherwise.</summary>
    public static string? Position(string? cursor, string list, InputErrors errors)
    {
        if (cursor is null) return null;
        try
        {
            if (cursor.Length <= 400 && Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('|', 2) is [var owner, var position] && owner == list)
                return position;
        }
        catch (FormatException)
        {
            // answered below, as any cursor this list did not make
        }
        errors.Add("cursor", CursorRefused);
        return null;
    }

    /// <summary>A position that is a non-negative whole number (an id, a tick count); anything else is an error on <c>cursor</c>.</summary>
    public static long? NumberAt(string? cursor, string list, InputErrors errors)
    {
        var position = Position(cursor, list, errors);
        if (position is null) return null;
        if (long.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        errors.Add("cursor", CursorRefused);
        return null;
    }

    /// <summary>A page from up to <paramref name="limit"/> + 1 items read: the extra one only says there is a next page.</summary>
    public static Page<T> Of<T>(IReadOnlyList<T> read, int limit, string list, Func<T, string> positionOf)
    {
        var items = read.Take(limit).ToList();
        return new Page<T>(items, read.Count > limit ? Cursor(list, positionOf(items[^1])) : null);
    }
}
