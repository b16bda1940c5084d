using System.Text.Json;

namespace InteractionLedger.Privacy;

/// <summary>Where one chain stood when a checkpoint was taken, or where it ends after a partition was retired.</summary>
/// <param name="Lane">The chain (0 to 15).</param>
/// <param name="Position">The chain's last position at that point (0 for a chain still empty).</param>
/// <param name="Mac">The MAC of the record at that position, hex.</param>
public sealed record LaneAnchor(int Lane, long Position, string Mac);

/// <summary>
/// A signed statement, written outside the database, of where every chain stood: <c>checkpoint</c> at an interval,
/// <c>retirement</c> when retention dropped a partition (the chains then start after the positions it lists).
/// </summary>
/// <param name="Id">The checkpoint's id: the UTC time it was taken (<c>yyyyMMddTHHmmssfffZ</c>), a dash and a random suffix.</param>
/// <param name="Kind"><c>checkpoint</c> or <c>retirement</c>; <c>unreadable</c> for a file that could not be parsed (then reported as unsigned).</param>
/// <param name="At">When it was taken (UTC).</param>
/// <param name="KeyId">The id of the key that signed it.</param>
/// <param name="Lanes">Where each chain stood, by chain.</param>
/// <param name="RetiredPartition">The partition a retirement dropped.</param>
/// <param name="Signature">HMAC-SHA-256, with the key <c>keyId</c>, of the checkpoint's canonical text.</param>
public sealed record LedgerCheckpoint(string Id, string Kind, DateTimeOffset At, string KeyId, IReadOnlyList<LaneAnchor> Lanes,
    string? RetiredPartition, string Signature)
{
    public const string Checkpoint = "checkpoint";
    public const string Retirement = "retirement";

    [System.Text.Json.Serialization.JsonIgnore]
    public string CanonicalText => $"{Id}|{Kind}|{At.UtcDateTime:O}|{KeyId}|{RetiredPartition}|" +
                                   string.Join(";", Lanes.OrderBy(l => l.Lane).Select(l => $"{l.Lane}:{l.Position}:{l.Mac}"));

    public static LedgerCheckpoint Signed(AccessLedgerKeys keys, string kind, DateTimeOffset at, IReadOnlyList<LaneAnchor> lanes, string? retired)
    {
        var unsigned = new LedgerCheckpoint($"{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..8]}", kind, at,
            keys.CurrentKeyId, lanes.OrderBy(l => l.Lane).ToList(), retired, "");
        return unsigned with { Signature = Convert.ToHexStringLower(keys.Sign(keys.CurrentKeyId, unsigned.CanonicalText)) };
    }

    /// <summary>False for a file anyone without the key could have written, including one that is not even well formed.</summary>
    public bool IsSignedBy(AccessLedgerKeys keys)
    {
        if (Id is null || Kind is null || KeyId is null || Lanes is null || Signature is null || Lanes.Any(l => l is null || l.Mac is null)
            || !keys.Knows(KeyId)) return false;
        var signature = new byte[32];
        return Signature.Length == 2 * signature.Length
               && Convert.FromHexString(Signature, signature, out _, out var written) == System.Buffers.OperationStatus.Done && written == signature.Length
               && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(signature, keys.Sign(KeyId, CanonicalText));
    }

    /// <summary>What a file that does not parse stands for: a checkpoint no key signed, reported as such.</summary>
    public static LedgerCheckpoint Unreadable(string file) => new(Path.GetFileNameWithoutExtension(file), "unreadable", default, "", [], null, "");
}

/// <summary>
/// The folder checkpoints are anchored in: files are only ever created, never rewritten or deleted (each is created
/// exclusively and made read-only). Give the service write access to it and nothing else, and keep it where the
/// database's login cannot reach: another volume, a WORM bucket mount, a folder with the append-only attribute.
/// </summary>
public sealed class CheckpointSink(AccessLedgerOptions options)
{
    private string Root => options.ResolvedCheckpointDirectory;

    public async Task WriteAsync(LedgerCheckpoint checkpoint, CancellationToken cancellation)
    {
        var folder = checkpoint.Kind == LedgerCheckpoint.Retirement
            ? Path.Combine(Root, "retirements")
            : Path.Combine(Root, "checkpoints", $"{checkpoint.At.UtcDateTime:yyyy-MM}");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, checkpoint.Id + ".json");
        // Written aside, then moved into place: a verification reading the folder meanwhile never sees half a file.
        var pending = file + ".writing";
        await using (var stream = new FileStream(pending, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(stream, checkpoint, Hosting.ApiJson.Options, cancellation);
            await stream.FlushAsync(cancellation);
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pending, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        File.Move(pending, file, overwrite: false);
    }

    /// <summary>The newest checkpoints, newest first (names sort by time).</summary>
    /// <param name="before">Only checkpoints older than this one (by id, which sorts by time).</param>
    public IReadOnlyList<LedgerCheckpoint> Latest(int count, string? before = null)
    {
        var folder = Path.Combine(Root, "checkpoints");
        if (!Directory.Exists(folder)) return [];
        var found = new List<LedgerCheckpoint>();
        foreach (var month in Directory.GetDirectories(folder).OrderDescending())
        {
            foreach (var file in Directory.GetFiles(month, "*.json").OrderDescending())
            {
                if (before is not null && string.CompareOrdinal(Path.GetFileNameWithoutExtension(file), before) >= 0) continue;
                found.Add(Read(file));
                if (found.Count == count) return found;
            }
        }
        return found;
    }

    /// <summary>Every retirement, oldest first: there is one per dropped partition.</summary>
    public IReadOnlyList<LedgerCheckpoint> Retirements()
    {
        var folder = Path.Combine(Root, "retirements");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json").Order().Select(Read).ToList() : [];
    }

    private static LedgerCheckpoint Read(string file)
    {
        try { return JsonSerializer.Deserialize<LedgerCheckpoint>(File.ReadAllText(file), Hosting.ApiJson.Options) ?? LedgerCheckpoint.Unreadable(file); }
        catch (JsonException) { return LedgerCheckpoint.Unreadable(file); }
    }
}
