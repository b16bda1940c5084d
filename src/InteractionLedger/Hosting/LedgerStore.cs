using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;

namespace InteractionLedger.Hosting;

/// <summary>The Marten model of the ledger: one stream per customer and the views built from it.</summary>
public static class LedgerStore
{
    public const string Schema = "ledger";

    /// <summary>The connection settings every connection of the service uses, to the ledger or to the access ledger.</summary>
    public static string Tuned(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
    {
        // The ledger leaves no session state on pooled connections (the few session advisory locks are taken on
        // unpooled connections of their own: DatabaseLocks), so the
        // DISCARD ALL that Npgsql otherwise sends each time a pooled connection is reused is a wasted round trip.
        NoResetOnClose = true,
        // Every request sends the same few statements; prepared once per connection, PostgreSQL stops parsing and
        // planning them each time. Measured under the write benchmark: +22% writes/s (bench/RESULTS.md).
        MaxAutoPrepare = 100,
        AutoPrepareMinUsages = 2,
    }.ConnectionString;

    /// <param name="viewSchema">Where the views (every document) live: the ledger's schema, or the schema a rebuild
    /// fills beside it (ViewRebuild). Events are always the ledger's.</param>
    /// <param name="views">Inline for the service (updated in each write's transaction); async for a rebuild's daemon.</param>
    public static void Configure(StoreOptions opts, string connectionString, AutoCreate autoCreate, string viewSchema = Schema,
        ProjectionLifecycle views = ProjectionLifecycle.Inline)
    {
        opts.Connection(Tuned(connectionString));
        opts.DatabaseSchemaName = viewSchema;
        opts.Events.DatabaseSchemaName = Schema;
        opts.AutoCreateSchemaObjects = autoCreate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        // Interactions carry their client id as event id: a second append of the same contact, even to another
        // customer's stream, is refused by the database and not only by the decision.
        opts.Events.EnableUniqueIndexOnEventId = true;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        // Who wrote each event: the person, the application and the request (Access.WriteMetadata).
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.UserNameEnabled = true;

        opts.Projections.Snapshot<Customer>(views == ProjectionLifecycle.Inline ? SnapshotLifecycle.Inline : SnapshotLifecycle.Async);
        opts.Projections.Add<TimelineProjection>(views);
        opts.Projections.Add<CaseSummaryProjection>(views);
        opts.Projections.Add<IdentifierClaimProjection>(views);
        opts.Projections.Add<InteractionLedger.Overview.CustomerOverviewProjection>(views);
        opts.Projections.Add<InteractionLedger.Consent.ConsentHistoryProjection>(views);

        opts.Schema.For<CaseSummary>().Duplicate(x => x.CustomerId, notNull: true);
        opts.Schema.For<InteractionLedger.Privacy.RetentionRun>().Duplicate(x => x.StartedAt);
        opts.Schema.For<InteractionLedger.Privacy.CustomerErasure>();

        // Retention masks free text in stored events once its period is over (Privacy.ApplyRetentionHandler).
        opts.Events.AddMaskingRuleForProtectedInformation<InteractionRecorded>(e => e with { Summary = null });
        opts.Events.AddMaskingRuleForProtectedInformation<InteractionRated>(e => e with { Comment = null });
        // ... and contact details of customers gone quiet for longer than their retention period, which it also unlinks.
        opts.Events.AddMaskingRuleForProtectedInformation<IdentifierLinked>(e => e with { Identifier = e.Identifier with { Value = "", Original = "" } });
        opts.Events.AddMaskingRuleForProtectedInformation<IdentifierUnlinked>(e => e with { IdentifierKey = CustomerIdentifier.ErasedKey(e.IdentifierKey) });
        opts.Events.AddMaskingRuleForProtectedInformation<PossibleDuplicateFound>(e => e with { IdentifierKey = CustomerIdentifier.ErasedKey(e.IdentifierKey) });
        opts.Events.AddMaskingRuleForProtectedInformation<IdentifierReleased>(e => e with { IdentifierKey = CustomerIdentifier.ErasedKey(e.IdentifierKey) });
    }
}
