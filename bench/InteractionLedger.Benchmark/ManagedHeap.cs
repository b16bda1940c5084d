using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace InteractionLedger.Benchmark;

/// <summary>What survived a full collection in the service: the managed memory it really holds.</summary>
/// <param name="TotalBytes">All generations and the large and pinned object heaps after the collection.</param>
public sealed record HeapAfterFullCollection(long TotalBytes, long Gen2Bytes, long LargeObjectBytes);

/// <summary>
/// Resident memory alone cannot tell a leak from a garbage collector that keeps what it once needed. This forces a
/// full blocking collection in the service through its diagnostics port, the way dotnet-gcdump does (the GC heap
/// collect keyword), and reads the heap statistics the runtime reports right after it.
/// </summary>
public static class ManagedHeap
{
    public static async Task<HeapAfterFullCollection?> CollectAsync(int processId, TimeSpan timeout)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords), requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        HeapAfterFullCollection? found = null;
        var inducedFullCollection = false;
        source.Clr.GCStart += e => inducedFullCollection |= e.Reason == GCReason.Induced && e.Depth == 2;
        source.Clr.GCHeapStats += e =>
        {
            if (!inducedFullCollection || found is not null) return;
            found = new HeapAfterFullCollection(e.TotalHeapSize, e.GenerationSize2, e.GenerationSize3);
            session.Stop();
        };
        var processing = Task.Run(() => source.Process());
        if (await Task.WhenAny(processing, Task.Delay(timeout)) != processing) session.Stop();
        await processing;
        return found;
    }
}
