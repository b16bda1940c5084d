using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Identity;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>A customer nobody within reach knew, registered with the identifier they came with.</summary>
public sealed class RegisterModel(ConsoleApi api, ConsoleText text, GroupCatalog group) : ConsolePage(api, text)
{
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Value { get; set; }
    [BindProperty(SupportsGet = true)] public string? Brand { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    /// <summary>Made when the form is shown: sent twice, it registers one customer.</summary>
    [BindProperty] public Guid NewCustomerId { get; set; } = Guid.NewGuid();

    public IReadOnlyList<Brand> MyBrands => BrandsOf(Me, group);

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellation)
    {
        if (!string.IsNullOrWhiteSpace(Value) && !ApiJson.TryParse<IdentifierKind>(Kind, out _)) ModelState.AddModelError("kind", NotUnderstood);
        if (!InputUnderstood("register")) return Page();
        var registered = await Api.SendAsync<CustomerReceipt>(HttpMethod.Post, "/customers",
            new RegisterCustomerRequest(NewCustomerId, DisplayName, string.IsNullOrEmpty(Brand) ? null : Brand), null, null, cancellation);
        if (!registered.Succeeded || string.IsNullOrWhiteSpace(Value))
            return await AfterWriteAsync(registered, "register", Text["Customer registered."], () => Task.FromResult<IActionResult>(Page()),
                redirectTo: CustomerUrl(NewCustomerId));
        var kind = ApiJson.TryParse<IdentifierKind>(Kind, out var parsed) ? parsed : (IdentifierKind?)null;
        var linked = await Api.SendAsync<object>(HttpMethod.Post, $"/customers/{NewCustomerId}/identifiers",
            new LinkIdentifierRequest(kind, Value, string.IsNullOrEmpty(Brand) ? null : Brand, false, Me.Id, "Given by the customer when registered in the console.", null),
            null, null, cancellation);
        // The customer exists either way: an identifier the API refused is said on their page, not lost in a form.
        Done = linked.Succeeded ? Text["Customer registered."]
            : $"{Text["Customer registered, but the identifier was not linked:"]} {linked.Problem!.Detail ?? linked.Problem.Title}";
        return Redirect(CustomerUrl(NewCustomerId));
    }
}
