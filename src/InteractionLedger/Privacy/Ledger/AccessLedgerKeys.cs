using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace InteractionLedger.Privacy;

/// <summary>What a privacy officer's searches filter on, stored beside each record's text and covered by its MAC.</summary>
public readonly record struct SearchableColumns(DateTimeOffset At, Guid? CustomerId, string Principal, string? Person, string Purpose, string Decision)
{
    public static SearchableColumns Of(AccessRecord record) =>
        new(record.At, record.CustomerId, record.Principal, record.Person?.Subject, record.Purpose, record.Decision);
}

/// <summary>A key the access ledger's records and checkpoints are MACed with.</summary>
public sealed class AccessLedgerKeyConfiguration
{
    public string Id { get; set; } = "";
    /// <summary>At least 32 random bytes, base64.</summary>
    public string? Secret { get; set; }
    /// <summary>A file holding the secret, base64 (a mounted secret).</summary>
    public string? SecretFile { get; set; }
}

/// <summary>
/// Where the access ledger's trust lives outside the database (<c>Ledger:AccessLedger</c>): the MAC keys, the folder
/// checkpoints are anchored in, how often, and how long records are kept.
/// </summary>
public sealed class AccessLedgerOptions
{
    /// <summary>Holds the generated key (when no <see cref="Keys"/> are configured) and, by default, the checkpoints.</summary>
    public string? Directory { get; set; }
    public AccessLedgerKeyConfiguration[] Keys { get; set; } = [];
    /// <summary>The key new records are MACed with; by default the last one listed. Older keys stay to verify older records.</summary>
    public string? CurrentKeyId { get; set; }
    /// <summary>Where signed checkpoints are written, append-only; by default <c>{Directory}/checkpoints</c>.</summary>
    public string? CheckpointDirectory { get; set; }
    public double CheckpointEveryMinutes { get; set; } = 5;
    /// <summary>Records older than this are dropped with their monthly partition.</summary>
    public int RetentionMonths { get; set; } = 5 * 12;
    /// <summary>False to checkpoint and drop aged partitions only on demand (tests).</summary>
    public bool Scheduled { get; set; } = true;

    public string ResolvedCheckpointDirectory => CheckpointDirectory ?? Path.Combine(Directory!, "checkpoints");
}

/// <summary>
/// The keys, held outside the database: without them no one with database access can forge a chain (the MAC of a
/// record covers the previous record's MAC, the key id, the chain, the position and the record's exact text).
/// </summary>
public sealed class AccessLedgerKeys
{
    private readonly Dictionary<string, byte[]> _secrets;

    private AccessLedgerKeys(Dictionary<string, byte[]> secrets, string currentKeyId)
    {
        _secrets = secrets;
        CurrentKeyId = currentKeyId;
    }

    public string CurrentKeyId { get; }

    public bool Knows(string keyId) => _secrets.ContainsKey(keyId);

    /// <summary>
    /// The configured keys; with none and <paramref name="generateIfMissing"/> (Development only), a key
    /// generated once into the ledger's folder (mode 0600) and reused across restarts.
    /// </summary>
    public static AccessLedgerKeys Load(AccessLedgerOptions options, bool generateIfMissing)
    {
        var secrets = new Dictionary<string, byte[]>();
        foreach (var key in options.Keys)
        {
            if (string.IsNullOrWhiteSpace(key.Id)) throw new InvalidOperationException("Ledger:AccessLedger:Keys: every key needs an Id.");
            var text = key.Secret ?? (key.SecretFile is { } file ? File.ReadAllText(file).Trim() : null)
                       ?? throw new InvalidOperationException($"Ledger:AccessLedger:Keys: '{key.Id}' needs Secret or SecretFile.");
            secrets[key.Id] = Decode(key.Id, text);
        }
        if (secrets.Count > 0)
        {
            var current = options.CurrentKeyId ?? options.Keys[^1].Id;
            if (!secrets.ContainsKey(current)) throw new InvalidOperationException($"Ledger:AccessLedger:CurrentKeyId '{current}' is not among the keys.");
            return new AccessLedgerKeys(secrets, current);
        }
        if (!generateIfMissing || options.Directory is null)
            throw new InvalidOperationException(
                "Ledger:AccessLedger:Keys lists no key: configure the access ledger's MAC key (Id, Secret or SecretFile) and its CheckpointDirectory; see README, 'The access ledger'.");

        var keyFile = Path.Combine(options.Directory, "access-ledger.key");
        if (!File.Exists(keyFile))
        {
            System.IO.Directory.CreateDirectory(options.Directory);
            var generated = new GeneratedKey($"dev-{DateTime.UtcNow:yyyyMMdd}-{Guid.NewGuid().ToString("N")[..6]}", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            try
            {
                using var stream = new FileStream(keyFile, FileMode.CreateNew, FileAccess.Write);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                JsonSerializer.Serialize(stream, generated);
            }
            catch (IOException) when (File.Exists(keyFile))
            {
                // Another instance on the same folder generated it first: use theirs.
            }
        }
        var stored = JsonSerializer.Deserialize<GeneratedKey>(File.ReadAllText(keyFile))!;
        return new AccessLedgerKeys(new Dictionary<string, byte[]> { [stored.Id] = Decode(stored.Id, stored.Secret) }, stored.Id);
    }

    /// <summary>Keys given in code (tests, the benchmark).</summary>
    public static AccessLedgerKeys Of(string id, byte[] secret) => new(new Dictionary<string, byte[]> { [id] = secret }, id);

    private sealed record GeneratedKey(string Id, string Secret);

    private static byte[] Decode(string id, string base64)
    {
        byte[] secret;
        try { secret = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidOperationException($"Ledger:AccessLedger:Keys: '{id}' is not base64."); }
        if (secret.Length < 32) throw new InvalidOperationException($"Ledger:AccessLedger:Keys: '{id}' needs at least 32 bytes.");
        return secret;
    }

    /// <summary>
    /// A record's MAC: HMAC-SHA-256 over the previous MAC (empty for a chain's first), the key id, chain, position, the
    /// searchable columns and the record's exact text, each length-prefixed so no two inputs read alike. The columns are
    /// covered so that a record whose column a search filters on was changed fails like one whose text was, and so that
    /// verification needs no parsing of the text.
    /// </summary>
    public byte[] RecordMac(string keyId, byte[] previous, int lane, long position, SearchableColumns columns, string recordText)
    {
        var input = new ArrayBufferWriter<byte>(256 + recordText.Length * 2);
        void Field(ReadOnlySpan<byte> bytes)
        {
            BinaryPrimitives.WriteInt32BigEndian(input.GetSpan(4), bytes.Length);
            input.Advance(4);
            input.Write(bytes);
        }
        void Text(string? text) => Field(text is null ? [0xFF] : Encoding.UTF8.GetBytes(text));
        Field(previous);
        Text(keyId);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, lane);
        Field(number);
        BinaryPrimitives.WriteInt64BigEndian(number, position);
        Field(number);
        BinaryPrimitives.WriteInt64BigEndian(number, columns.At.UtcTicks);
        Field(number);
        Text(columns.CustomerId?.ToString());
        Text(columns.Principal);
        Text(columns.Person);
        Text(columns.Purpose);
        Text(columns.Decision);
        Text(recordText);
        return HMACSHA256.HashData(_secrets[keyId], input.WrittenSpan);
    }

    /// <summary>A checkpoint's signature: HMAC-SHA-256 over its canonical text.</summary>
    public byte[] Sign(string keyId, string canonical) => HMACSHA256.HashData(_secrets[keyId], Encoding.UTF8.GetBytes(canonical));
}
