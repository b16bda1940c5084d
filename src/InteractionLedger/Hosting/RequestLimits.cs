namespace InteractionLedger.Hosting;

/// <summary>
/// Request bodies are small JSON documents (a contact's summary is at most 1,000 characters): anything far larger is
/// a mistake or an attack, refused before it is read.
/// </summary>
public static class RequestLimits
{
    public const long MaxBodyBytes = 64 * 1024;

    public static IResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The request body is too large.", detail: $"Request bodies are limited to {MaxBodyBytes / 1024} KB.",
        type: Http.ProblemTypes.Of("too-large"),
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["body"] = [$"At most {MaxBodyBytes} bytes."] } });

    /// <summary>Kestrel enforces the limit on the bytes read; this answers declared sizes at once, with a problem body.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                await TooLarge().ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        return app;
    }
}
