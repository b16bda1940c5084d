using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteractionLedger.WebConsole.Pages;

/// <summary>Any other address under /console: a page saying so, not the API's answer to a caller without a key.</summary>
public sealed class NotFoundModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status404NotFound;
}
