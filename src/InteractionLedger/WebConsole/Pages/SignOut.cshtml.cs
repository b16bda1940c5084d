using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteractionLedger.WebConsole.Pages;

/// <summary>Ends the session (and the identity provider's, when the person came from it). A post, so no link can sign anyone out.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect($"{ConsoleModule.Root}/");

    public async Task<IActionResult> OnPostAsync()
    {
        var provider = await ConsoleAuthentication.SignedInWithProviderAsync(HttpContext);
        await ConsoleAuthentication.SignOutAsync(HttpContext);
        return provider
            ? SignOut(new AuthenticationProperties { RedirectUri = $"{ConsoleModule.Root}/sign-in?signedOut=true" }, ConsoleAuthentication.OpenIdConnectScheme)
            : Redirect($"{ConsoleModule.Root}/sign-in?signedOut=true");
    }
}
