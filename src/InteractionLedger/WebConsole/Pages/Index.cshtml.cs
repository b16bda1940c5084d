using InteractionLedger.Access;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteractionLedger.WebConsole.Pages;

public sealed class IndexModel(Group.GroupCatalog group) : PageModel
{
    public Group.GroupCatalog Group => group;

    public Caller Me => Caller.From(User);

    public void OnGet() { }
}
