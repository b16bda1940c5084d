using InteractionLedger.Privacy;
using InteractionLedger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Privacy;

/// <summary>
/// Erasure, export, retention and the view snapshots all follow one declaration of where personal data lives: a view
/// added without declaring how it is erased, exported and retained fails here instead of outliving an erasure.
/// </summary>
public sealed class the_personal_data_declaration(LedgerApi api)
{
    [Fact]
    public void covers_every_view_a_projection_builds_and_every_document_marten_stores()
    {
        var store = api.Factory.Services.GetRequiredService<IDocumentStore>();
        var declared = PersonalData.Holdings.Select(h => h.Document).OfType<Type>().Concat(PersonalData.NotPersonal.Keys).ToHashSet();

        var projected = ((StoreOptions)store.Options).Projections.All.SelectMany(p => p.PublishedTypes()).Distinct().ToList();
        projected.ShouldNotBeEmpty();
        projected.Where(t => !declared.Contains(t)).ShouldBeEmpty("views without a declaration in Privacy/PersonalData.cs");
        var stored = store.Options.AllKnownDocumentTypes().Select(d => d.DocumentType).ToList();
        stored.Where(t => !declared.Contains(t)).ShouldBeEmpty("documents without a declaration in Privacy/PersonalData.cs");
    }

    [Fact]
    public void says_for_every_holding_how_it_is_erased_exported_and_retained_and_the_export_carries_each_exported_one()
    {
        PersonalData.Holdings.ShouldAllBe(h => h.Holds.Length > 0 && h.Erasure.Length > 0 && h.Exported.Length > 0 && h.Retention.Length > 0);
        PersonalData.Holdings.Where(h => h.Document is not null).ShouldAllBe(h => h.Erase != null && h.All != null,
            "a view is erased with its customer and compared in snapshots");
        var exportSections = typeof(CustomerExport).GetProperties().Select(p => p.Name.ToLowerInvariant()).ToHashSet();
        PersonalData.Holdings.Where(h => h.Export is not null).Select(h => h.Name).ShouldAllBe(name => exportSections.Contains(name));
    }
}
