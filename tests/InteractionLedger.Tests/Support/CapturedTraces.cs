using System.Collections.Concurrent;
using System.Diagnostics;

namespace InteractionLedger.Tests.Support;

/// <summary>
/// Every span the process produces, from every source (ASP.NET Core, HttpClient, Npgsql, Marten, Wolverine), rendered
/// as an exporter would see it: source, name, status, attributes, events and their attributes.
/// </summary>
public sealed class CapturedTraces : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public CapturedTraces()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // Rendered when read, after the service's own processors have seen the span, as an exporter would.
            ActivityStopped = activity => _spans.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<string> Spans => _spans.Select(Render).ToList();

    private static string Render(Activity activity) =>
        $"{activity.Source.Name} {activity.DisplayName} {activity.Status} {activity.StatusDescription} " +
        string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " +
        string.Join(' ', activity.Events.Select(e => $"{e.Name} {string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))}"));

    public void Dispose() => _listener.Dispose();
}
