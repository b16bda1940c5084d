using System.Text.Json;
using System.Text.Json.Serialization;
using InteractionLedger.Http;

namespace InteractionLedger.Hosting;

/// <summary>
/// Text PostgreSQL can hold. <c>text</c> and <c>jsonb</c> refuse NUL (U+0000), and a UTF-16 surrogate without its pair
/// is no character at all (it cannot be encoded in UTF-8). Both are refused at the door, on every route, as a 400
/// naming the field or parameter, so that nothing reaches the database to fail there, half written, as a 500.
/// </summary>
public static class StorableText
{
    public const string Why = "contains a character that cannot be stored (NUL, U+0000, or an unpaired UTF-16 surrogate)";

    public static bool IsStorable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>Query parameters bind outside JSON: every value (and name) is checked before any endpoint runs.</summary>
    public static WebApplication UseStorableQueryText(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            foreach (var (name, values) in http.Request.Query)
            {
                if (IsStorable(name) && values.All(v => v is null || IsStorable(v))) continue;
                var shown = IsStorable(name) ? name : "query";
                await InputErrors.For(shown, $"'{shown}' {Why}.").ToResult().ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        return app;
    }
}

/// <summary>Thrown while reading a JSON body whose string value cannot be stored; the path names the field.</summary>
public sealed class UnstorableTextException() : JsonException(StorableText.Why);

/// <summary>Every string of every request body passes here, so no endpoint can forget the check.</summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) return reader.GetString(); // throws for a wrong type, as the default does
        string? value;
        try
        {
            value = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") cannot be transcoded.
            throw new UnstorableTextException();
        }
        return value is null || IsStorable(value) ? value : throw new UnstorableTextException();
    }

    private static bool IsStorable(string value) => StorableText.IsStorable(value);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
