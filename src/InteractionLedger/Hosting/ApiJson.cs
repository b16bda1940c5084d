using System.Text.Json;
using System.Text.Json.Serialization;

namespace InteractionLedger.Hosting;

/// <summary>The API's JSON contract: camelCase members, kebab-case enum names, no numeric enums.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Numbers for enums would let "channel": 42 through as an undefined member: refuse them at the door.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new StorableStringConverter());
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Reads an enum from its wire name (query strings bind outside the JSON converter).</summary>
    public static bool TryParse<TEnum>(string? value, out TEnum parsed) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (Name(candidate) != value) continue;
            parsed = candidate;
            return true;
        }
        parsed = default;
        return false;
    }

    public static string AllowedValues<TEnum>() where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetValues<TEnum>().Select(Name));
}
