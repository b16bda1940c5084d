using System.Buffers.Text;
using System.Globalization;
using System.Text;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.Interactions;

/// <summary>One contact at a glance.</summary>
/// <param name="InteractionId">The contact's id.</param>
/// <param name="OccurredAt">When the contact happened, by the reporting system's clock.</param>
/// <param name="Brand">Code of the brand the customer dealt with.</param>
/// <param name="BrandName">That brand's display name.</param>
/// <param name="Channel">The channel the contact happened on.</param>
/// <param name="Direction"><c>inbound</c> (the customer started it) or <c>outbound</c> (the brand did).</param>
/// <param name="Reason">Why the customer (or the brand) made contact.</param>
/// <param name="HandledBy">Who handled the contact on the brand's side.</param>
/// <param name="Outcome">How the contact ended.</param>
/// <param name="WaitingSeconds">Seconds the customer waited before being served; null when not measured.</param>
/// <param name="HandlingSeconds">Seconds spent handling the contact; null when not measured.</param>
/// <param name="Summary">What happened; null when none was given, when free text is withheld for the stated purpose, or once the retention period cleared it.</param>
/// <param name="CaseId">The case the contact belongs to; null when none.</param>
/// <param name="Rating">The customer's rating; null when not rated, or when ratings are withheld for the stated purpose.</param>
/// <param name="RecordedAt">When the ledger recorded it (UTC).</param>
public sealed record TimelineItem(
    Guid InteractionId, DateTimeOffset OccurredAt, string Brand, string BrandName, Channel Channel, Direction Direction,
    ContactReason Reason, HandledBy HandledBy, Outcome Outcome, int? WaitingSeconds, int? HandlingSeconds,
    string? Summary, Guid? CaseId, InteractionRating? Rating, DateTimeOffset RecordedAt)
{
    /// <summary>How this read was decided (on a single interaction read; a page carries it once).</summary>
    public AccessNotice? Access { get; init; }

    /// <summary>The entry as the decision lets the caller see it: free text and ratings only where the purpose needs them.</summary>
    public static TimelineItem From(TimelineEntry e, GroupCatalog group, AccessDecision decision)
    {
        var freeText = decision.Shows(DataPart.FreeText);
        var rating = decision.Shows(DataPart.Ratings) ? e.Rating is { } r && !freeText ? r with { Comment = null } : e.Rating : null;
        return new(e.Id, e.OccurredAt, e.Brand, group.Brands.FirstOrDefault(b => b.Code == e.Brand)?.Name ?? e.Brand, e.Channel,
            e.Direction, e.Reason, e.HandledBy, e.Outcome, e.WaitingSeconds, e.HandlingSeconds, freeText ? e.Summary : null, e.CaseId,
            rating, e.RecordedAt);
    }
}

/// <summary>One page of a customer's timeline, newest first.</summary>
/// <param name="CustomerId">The customer whose timeline this is (the survivor, when an absorbed id was asked for).</param>
/// <param name="Items">The contacts of this page, newest first.</param>
/// <param name="Next">Pass as <c>cursor</c> (with the same filters) to read the next (older) page; null on the last page.</param>
/// <param name="Access">How this read was decided, and what it leaves out (brands, free text, ratings).</param>
public sealed record TimelinePage(Guid CustomerId, IReadOnlyList<TimelineItem> Items, string? Next, AccessNotice Access);

/// <summary>
/// A position in a timeline: the last item's (occurredAt, interactionId). Keyset paging on that pair, which the
/// (customer_id, occurred_at, id) index serves, stays stable while new contacts arrive (they sort before the
/// cursor, late-reported old contacts after it) and costs the same on page 1 and page 500.
/// </summary>
/// <remarks>A cursor names the customer it was made for: one made for a customer is refused on any other, so cursors
/// cannot be used to probe another timeline.</remarks>
public readonly record struct TimelineCursor(Guid CustomerId, DateTimeOffset OccurredAt, Guid InteractionId)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        $"{CustomerId:N}:{OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{InteractionId:N}"));

    public static bool TryDecode(string? value, Guid customerId, out TimelineCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(value) || value.Length > 200) return false;
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(value)).Split(':');
            if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var owner) || owner != customerId
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParseExact(parts[2], "N", out var id)) return false;
            cursor = new TimelineCursor(owner, new DateTimeOffset(ticks, TimeSpan.Zero), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public static class TimelineEndpoint
{
    public const int DefaultPageSize = Http.Paging.DefaultLimit;
    public const int MaxPageSize = Http.Paging.MaxLimit;
    private const string TimelineTable = $"{LedgerStore.Schema}.mt_doc_timelineentry";

    public static RouteHandlerBuilder MapTimeline(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/timeline", async (Guid customerId,
            [FromQuery(Name = "channel")] string[]? channels, [FromQuery(Name = "brand")] string[]? brands,
            [FromQuery(Name = "reason")] string[]? reasons, Guid? caseId, DateTimeOffset? from, DateTimeOffset? to,
            int? limit, string? cursor, IQuerySession session, NpgsqlDataSource database, GroupCatalog group, PersonalDataGate gate, HttpContext http,
            CancellationToken cancellation) =>
        {
            var errors = new InputErrors();
            var channelFilter = ParseEnums<Channel>("channel", channels, errors);
            var reasonFilter = ParseEnums<ContactReason>("reason", reasons, errors);
            foreach (var brand in brands ?? [])
                if (!group.IsKnownBrand(brand)) errors.Add("brand", $"'{brand}' is not a brand of {group.Name}.");
            errors.Range("limit", limit, 1, MaxPageSize);
            if (from is not null && to is not null && from > to) errors.Add("from", "'from' must not be after 'to'.");
            TimelineCursor? position = null;
            if (cursor is not null)
            {
                if (TimelineCursor.TryDecode(cursor, customerId, out var decoded)) position = decoded;
                else errors.Add("cursor", "'cursor' is not a cursor this API returned for this customer's timeline.");
            }
            if (errors.Any) return errors.ToResult();
            // A merged customer's timeline holds everyone merged into them; an absorbed id answers with its survivor's.
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Timeline, cancellation);
            if (pass is null) return problem!;
            var members = pass.Customer!;

            var pageSize = limit ?? DefaultPageSize;
            // Newest first across everyone merged into this customer: each member's newest entries come from the
            // (customer_id, occurred_at, id) index in order, and only those are merged and cut to a page, instead of
            // reading and sorting every entry of every member (customer_id = ANY(...) cannot use the index's order).
            var parameters = new List<NpgsqlParameter>();
            string Arg(object value)
            {
                parameters.Add(new NpgsqlParameter { Value = value });
                return "$" + parameters.Count;
            }
            var sql = new StringBuilder($"select page.data from unnest({Arg(members.Members.ToArray())}) as member(id) cross join lateral " +
                                        $"(select t.data, t.occurred_at, t.id from {TimelineTable} as t where t.customer_id = member.id");
            if (channelFilter.Length > 0) sql.Append($" and t.data ->> 'channel' = ANY({Arg(channelFilter)})");
            if (reasonFilter.Length > 0) sql.Append($" and t.data ->> 'reason' = ANY({Arg(reasonFilter)})");
            if (brands is { Length: > 0 }) sql.Append($" and t.data ->> 'brand' = ANY({Arg(brands)})");
            if (pass.Decision.VisibleBrands is { } visible) sql.Append($" and t.data ->> 'brand' = ANY({Arg(visible.ToArray())})");
            if (caseId is { } c) sql.Append($" and t.data ->> 'caseId' = {Arg(c.ToString())}");
            if (from is { } f) sql.Append($" and t.occurred_at >= {Arg(f.ToUniversalTime())}");
            if (to is { } t) sql.Append($" and t.occurred_at < {Arg(t.ToUniversalTime())}");
            if (position is { } p) sql.Append($" and (t.occurred_at, t.id) < ({Arg(p.OccurredAt)}, {Arg(p.InteractionId)})");
            var rows = Arg(pageSize + 1);
            sql.Append($" order by t.occurred_at desc, t.id desc limit {rows}) as page order by page.occurred_at desc, page.id desc limit {rows}");

            var entries = await ReadEntriesAsync(database, session.DocumentStore.Options.Serializer(), sql.ToString(), parameters, cancellation);
            var page = entries.Take(pageSize).Select(e => TimelineItem.From(e, group, pass.Decision)).ToList();
            var next = entries.Count > pageSize ? new TimelineCursor(customerId, page[^1].OccurredAt, page[^1].InteractionId).Encode() : null;
            return Results.Ok(new TimelinePage(members.Root, page, next, pass.Notice));
        })
        .WithName("GetTimeline")
        .WithSummary("A customer's contacts across all channels and brands, newest first.")
        .WithDescription("Filters combine with AND; repeat channel, brand or reason to accept several values. " +
                         "'from' is inclusive, 'to' exclusive. Page with the returned next, keeping the same filters.")
        .WithPersonalDataRead()
        .Produces<TimelinePage>()
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapGetInteraction(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/interactions/{interactionId:guid}", async (Guid customerId, Guid interactionId,
            IQuerySession session, GroupCatalog group, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Interaction, cancellation);
            if (pass is null) return problem!;
            var entry = await session.LoadAsync<TimelineEntry>(interactionId, cancellation);
            if (entry is not null && pass.Customer!.Members.Contains(entry.CustomerId) && pass.Decision.ShowsBrand(entry.Brand))
                return Results.Ok(TimelineItem.From(entry, group, pass.Decision) with { Access = pass.Notice });
            return ProblemResults.For(new Rejection(RejectionKind.NotFound, "interactionId",
                $"The customer '{customerId}' has no interaction '{interactionId}'."), versionFromHeader: false);
        })
        .WithName("GetInteraction")
        .WithSummary("Read one recorded contact.")
        .WithPersonalDataRead()
        .Produces<TimelineItem>()
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>
    /// The page's documents, deserialised by Marten's serializer from rows read whole. Marten's own query path
    /// deserialises each document from a stream asynchronously; on a page of 50 that took a quarter of the service's
    /// CPU time for the request (profiled, bench/RESULTS.md), for rows that are already in memory.
    /// </summary>
    private static async Task<List<TimelineEntry>> ReadEntriesAsync(NpgsqlDataSource database, ISerializer serializer, string sql,
        List<NpgsqlParameter> parameters, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddRange(parameters.ToArray());
        var entries = new List<TimelineEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) entries.Add(serializer.FromJson<TimelineEntry>(reader, 0));
        return entries;
    }

    /// <returns>The stored (PascalCase) names of the requested kebab-case values.</returns>
    private static string[] ParseEnums<TEnum>(string field, string[]? values, InputErrors errors) where TEnum : struct, Enum
    {
        var parsed = new List<string>();
        foreach (var value in values ?? [])
        {
            if (ApiJson.TryParse<TEnum>(value, out var found)) parsed.Add(found.ToString());
            else errors.Add(field, $"'{value}' is not a {field}; use one of: {ApiJson.AllowedValues<TEnum>()}.");
        }
        return parsed.ToArray();
    }
}
