using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteractionLedger.WebConsole.Pages;

/// <summary>Switches the console's language (the browser's is the default) and goes back to the page it was asked from.</summary>
public sealed class LanguageModel(IWebHostEnvironment environment) : PageModel
{
    public IActionResult OnGet() => Redirect($"{ConsoleModule.Root}/");

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        if (ConsoleModule.Languages.Any(c => c.Name == culture))
            Response.Cookies.Append(ConsoleModule.LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture!)),
                new CookieOptions { Path = ConsoleModule.Root, HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true,
                    Secure = Request.IsHttps || !environment.IsDevelopment(), MaxAge = TimeSpan.FromDays(365) });
        return LocalRedirect(ConsoleModule.IsConsolePage(returnUrl, Url) ? returnUrl! : $"{ConsoleModule.Root}/");
    }
}
