using InteractionLedger.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace InteractionLedger.WebConsole.Pages;

/// <param name="development">The development personas' issuer: registered in Development only.</param>
public sealed class SignInModel(IOptions<ConsoleOptions> options, TimeProvider clock, IEnumerable<DevelopmentSignIn> development) : PageModel
{
    private readonly DevelopmentSignIn? _development = development.SingleOrDefault();

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool Expired { get; set; }
    [BindProperty(SupportsGet = true)] public bool SignedOut { get; set; }
    [BindProperty(SupportsGet = true)] public bool Failed { get; set; }

    public string? Provider => options.Value.OpenIdConnect.Configured ? options.Value.OpenIdConnect.DisplayName : null;
    public IReadOnlyList<Persona> Personas => _development?.Personas ?? [];

    public void OnGet() { }

    public IActionResult OnPostProvider() =>
        Provider is null ? NotFound() : Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, ConsoleAuthentication.OpenIdConnectScheme);

    /// <summary>Development only: the persona's token is issued as the identity provider would, then checked as the API checks it.</summary>
    public async Task<IActionResult> OnPostPersonaAsync(string? persona)
    {
        if (_development?.Personas.FirstOrDefault(p => p.Id == persona) is not { } chosen) return NotFound();
        var now = clock.GetUtcNow();
        var token = _development.Issue(chosen, now, ConsoleAuthentication.Application);
        var (caller, failure) = await ConsoleAuthentication.ValidateAsync(HttpContext, token.AccessToken);
        if (caller is null) throw new InvalidOperationException($"A development token was refused: {failure}");
        await ConsoleAuthentication.SignInAsync(HttpContext, caller, token.AccessToken, now.AddSeconds(token.ExpiresIn));
        return LocalRedirect(SafeReturnUrl());
    }

    /// <summary>Only a page of the console: a sign-in link cannot send the person anywhere else.</summary>
    private string SafeReturnUrl() => ConsoleModule.IsConsolePage(ReturnUrl, Url) ? ReturnUrl! : $"{ConsoleModule.Root}/";
}
