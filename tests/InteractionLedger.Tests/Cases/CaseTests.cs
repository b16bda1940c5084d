using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Cases;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Cases;

public sealed class when_a_problem_is_followed_as_a_case(LedgerApi api)
{
    private async Task<(Guid customerId, Guid caseId)> CustomerWithOpenCase()
    {
        var customerId = await api.RegisterCustomerAsync();
        var response = await api.PostJsonAsync($"/customers/{customerId}/cases", new
        {
            brand = "horizon-telecom", reason = "complaint", title = "Line cut twice this week", openedBy = "agent-7",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var receipt = (await response.Content.ReadFromJsonAsync<CaseReceipt>(ApiJson.Options))!;
        return (customerId, receipt.CaseId);
    }

    [Fact]
    public async Task the_case_counts_its_contacts_and_the_channels_it_crossed()
    {
        var (customerId, caseId) = await CustomerWithOpenCase();
        var earlier = await api.RecordAsync(customerId, Contacts.Valid(Channel.Chatbot, occurredAt: DateTimeOffset.UtcNow.AddHours(-3)));

        await api.RecordAsync(customerId, Contacts.Valid(Channel.Phone, caseId: caseId));
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Email, caseId: caseId));
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Phone, caseId: caseId));
        var attach = await api.PostJsonAsync($"/customers/{customerId}/cases/{caseId}/interactions",
            new { interactionId = earlier["interactionId"]!.GetValue<Guid>(), attachedBy = "agent-7" });
        attach.StatusCode.ShouldBe(HttpStatusCode.OK);

        var view = (await api.GetAsync<CaseList>($"/customers/{customerId}/cases")).Cases.ShouldHaveSingleItem();
        view.CaseId.ShouldBe(caseId);
        view.Status.ShouldBe(CaseStatus.Open);
        view.ContactCount.ShouldBe(4);
        view.Channels.ShouldBe([Channel.Phone, Channel.Email, Channel.Chatbot]);
        var onTimeline = await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline?caseId={caseId}");
        onTimeline.Items.Count.ShouldBe(4);
    }

    [Fact]
    public async Task a_resolved_case_takes_no_contact_until_reopened()
    {
        var (customerId, caseId) = await CustomerWithOpenCase();
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Chat, caseId: caseId));

        var resolved = await api.PostJsonAsync($"/customers/{customerId}/cases/{caseId}/resolve",
            new { resolvedBy = "agent-7", resolution = "Meter re-read; invoice corrected." });
        var resolvedAgain = await api.PostJsonAsync($"/customers/{customerId}/cases/{caseId}/resolve", new { resolvedBy = "agent-7" });
        var refused = await api.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid(caseId: caseId));

        resolved.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await resolvedAgain.Content.ReadFromJsonAsync<CaseReceipt>(ApiJson.Options))!.Replayed.ShouldBeTrue();
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).ErrorFields().ShouldBe(["caseId"]);
        var afterResolution = await api.GetAsync<CaseView>($"/customers/{customerId}/cases/{caseId}");
        afterResolution.Status.ShouldBe(CaseStatus.Resolved);
        afterResolution.Resolution.ShouldBe("Meter re-read; invoice corrected.");

        var reopened = await api.PostJsonAsync($"/customers/{customerId}/cases/{caseId}/reopen",
            new { reopenedBy = "agent-9", reason = "The next invoice repeats the error." });
        reopened.StatusCode.ShouldBe(HttpStatusCode.OK);
        await api.RecordAsync(customerId, Contacts.Valid(Channel.SocialNetwork, caseId: caseId));

        var open = (await api.GetAsync<CaseList>($"/customers/{customerId}/cases?status=open")).Cases.ShouldHaveSingleItem();
        open.ReopenCount.ShouldBe(1);
        open.ContactCount.ShouldBe(2);
        open.Channels.ShouldBe([Channel.Chat, Channel.SocialNetwork]);
        open.TimeOpenSeconds.ShouldBeGreaterThanOrEqualTo(0);
        (await api.GetAsync<CaseList>($"/customers/{customerId}/cases?status=resolved")).Cases.ShouldBeEmpty();
    }

    [Fact]
    public async Task an_interaction_belongs_to_one_case_only()
    {
        var (customerId, first) = await CustomerWithOpenCase();
        var second = (await (await api.PostJsonAsync($"/customers/{customerId}/cases", new
        {
            brand = "horizon-telecom", reason = "technical-help", title = "Fibre drops at night", openedBy = "agent-3",
        })).Content.ReadFromJsonAsync<CaseReceipt>(ApiJson.Options))!.CaseId;
        var contact = await api.RecordAsync(customerId, Contacts.Valid(caseId: first));

        var moved = await api.PostJsonAsync($"/customers/{customerId}/cases/{second}/interactions",
            new { interactionId = contact["interactionId"]!.GetValue<Guid>(), attachedBy = "agent-3" });

        moved.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await moved.ProblemAsync()).ErrorFields().ShouldBe(["interactionId"]);
    }

    [Fact]
    public async Task opening_a_case_again_with_its_id_is_a_replay_and_unknown_cases_are_not_found()
    {
        var customerId = await api.RegisterCustomerAsync();
        var body = new { caseId = Guid.NewGuid(), brand = "horizon-banque", reason = "billing", title = "Double debit", openedBy = "bot-1" };

        var first = await api.PostJsonAsync($"/customers/{customerId}/cases", body);
        var again = await api.PostJsonAsync($"/customers/{customerId}/cases", body);
        var unknown = await api.PostJsonAsync($"/customers/{customerId}/cases/{Guid.NewGuid()}/resolve", new { resolvedBy = "agent-1" });
        var invalid = await api.PostJsonAsync($"/customers/{customerId}/cases", new { brand = "horizon-banque", reason = "gossip" });

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.ProblemAsync()).ErrorFields().ShouldBe(["caseId"]);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.ProblemAsync()).ErrorFields().ShouldContain("reason");
    }
}
