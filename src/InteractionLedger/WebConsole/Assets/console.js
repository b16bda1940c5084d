// The console's only script: progressive enhancement, every page works without it.
"use strict";

// A form sends once: a second click while the first is on its way would only be refused (or replayed) by the API.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sending === "true") { event.preventDefault(); return; }
  form.dataset.sending = "true";
  for (const button of form.querySelectorAll("button[type=submit]")) button.setAttribute("aria-disabled", "true");
});

// "More contacts" loads the next page in place, and does so by itself when it scrolls into view.
async function loadMore(link, clicked) {
  if (link.dataset.loading === "true") return;
  link.dataset.loading = "true";
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("fragment", "true");
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  const template = document.createElement("template");
  template.innerHTML = response.ok && !response.redirected ? await response.text() : "";
  const page = template.content.querySelector("[data-timeline-page]");
  // Anything else (the session ended, a problem): the page itself says what happened.
  if (!page) { window.location.href = link.href; return; }
  const container = link.closest("[data-timeline-page]");
  const list = container?.querySelector("[data-timeline]");
  const items = page?.querySelectorAll("[data-timeline] > li") ?? [];
  const firstNew = items[0];
  for (const item of items) list?.append(item);
  link.closest("p")?.replaceWith(...(page?.querySelectorAll(":scope > p") ?? []));
  observe();
  // Asked for with the keyboard or a click: go on from where the new entries start. Loaded by scrolling: leave the
  // focus where the agent has it.
  if (firstNew && clicked) { firstNew.setAttribute("tabindex", "-1"); firstNew.focus({ preventScroll: true }); }
}

const observer = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => entries.filter((e) => e.isIntersecting).forEach((e) => loadMore(e.target, false)), { rootMargin: "200px" })
  : null;

function observe() {
  for (const link of document.querySelectorAll("a[data-more]")) {
    if (link.dataset.observed === "true") continue;
    link.dataset.observed = "true";
    link.addEventListener("click", (event) => { event.preventDefault(); loadMore(link, true); });
    observer?.observe(link);
  }
}

// A page shown again with a problem: the problem takes the focus, so a screen reader says it and the keyboard starts
// there; the fields it names are marked invalid.
function showProblem() {
  const problem = document.querySelector(".problem[role=alert]");
  if (!problem) return;
  problem.setAttribute("tabindex", "-1");
  problem.focus();
  for (const message of document.querySelectorAll(".field-error")) {
    const field = message.parentElement?.querySelector("input, select, textarea");
    if (!field) continue;
    if (!message.id) message.id = `${field.id}-error`;
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), message.id].filter(Boolean).join(" "));
  }
}

document.addEventListener("DOMContentLoaded", () => { observe(); showProblem(); });
