using InteractionLedger.Group;
using InteractionLedger.Interactions;

namespace InteractionLedger.WebConsole;

/// <summary>Timeline entries to show, each readable at a glance.</summary>
public sealed record TimelineItemsModel(IReadOnlyList<TimelineItem> Items, GroupCatalog Group);
