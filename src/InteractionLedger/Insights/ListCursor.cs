using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace InteractionLedger.Insights;

/// <summary>
/// Where a list naming customers goes on: encrypted and authenticated (ASP.NET Core data protection), bound to the
/// list and its filters. A plain cursor would carry the id of the last customer looked at, who may be one the purpose
/// left out (never shown, never recorded), and could be forged to start anywhere. Instances behind one address share
/// the data-protection keys (README, "Running in production": Ledger:Console:KeysDirectory).
/// </summary>
public sealed class ListCursor(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("InteractionLedger.Insights.ListCursor.v1");

    public string Make(string list, string position) =>
        Base64Url.EncodeToString(_protector.Protect(Encoding.UTF8.GetBytes($"{list}|{position}")));

    /// <summary>The position, or null (with the field's error) for a cursor this API did not make for this list.</summary>
    public string? Read(string? cursor, string list, Http.InputErrors errors)
    {
        if (cursor is null) return null;
        try
        {
            if (cursor.Length <= 1000 && Encoding.UTF8.GetString(_protector.Unprotect(Base64Url.DecodeFromChars(cursor))).Split('|', 2) is [var owner, var position]
                && owner == list)
                return position;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            // answered below, as any cursor this list did not make
        }
        errors.Add("cursor", "'cursor' is not a cursor this API returned for this list: pass the 'next' of the previous page, with the same filters.");
        return null;
    }
}
