import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setSession } from "../../platform";
import { fakeDepot } from "../../test/fakeDepot";
import { webhook, type FakeWebhookOptions } from "../../test/fakeWebhooks";
import { renderApp } from "../../test/renderApp";

// Issue 16: Settings → Webhooks, where administrators send alerts to Teams,
// Slack or any HTTPS endpoint.

afterEach(() => setSession(null));

function setup(webhooks: FakeWebhookOptions = {}) {
  const depot = fakeDepot({ webhooks });
  const view = renderApp({ handlers: depot.handlers, at: "#/settings" });
  return { ...view, depot };
}

const asRole = (actions: string[], scopeTags: string[] = []) =>
  setSession({
    signInRequired: true,
    current: () =>
      Promise.resolve({ name: "ana@example.org", role: "help-desk", scopeTags, actions }),
    signIn: () => Promise.reject(new Error("unused")),
    signOut: () => Promise.resolve(),
  });

const HOOK = webhook({ id: "7", name: "Service desk", format: "slack", minSeverity: "critical" });

describe("Settings → Webhooks", () => {
  it("lists webhooks by name, format, what they receive and their host only", async () => {
    setup({ webhooks: [HOOK] });
    const row = await screen.findByTestId("webhook-row-7");
    expect(row).toHaveTextContent("Service desk");
    expect(row).toHaveTextContent("Slack");
    expect(row).toHaveTextContent("Critical only");
    expect(row).toHaveTextContent("https://contoso.webhook.office.com/…");
    expect(row).toHaveTextContent("admin@example.org");
    // The desktop app on its own workspace: delivery needs depot serve.
    expect(screen.getByTestId("webhooks-desktop-note")).toHaveTextContent("depot serve");
  });

  it("adds a Teams webhook; a bad address is refused in the dialog and nothing is added", async () => {
    const { user, depot } = setup();
    expect(await screen.findByTestId("webhooks-empty")).toBeInTheDocument();
    await user.click(screen.getByTestId("webhooks-add"));
    const dialog = await screen.findByTestId("webhook-add-dialog");
    const confirm = within(dialog).getByTestId("webhook-add-confirm");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId("webhook-add-name"), "IT channel");
    await user.type(
      within(dialog).getByTestId("webhook-add-url"),
      "http://hooks.example.com/services/T000/B000/XXXX",
    );
    await user.click(confirm);
    expect(await within(dialog).findByText(/must use https/)).toBeInTheDocument();
    expect(depot.webhooks.webhooks).toEqual([]);

    const url = within(dialog).getByTestId("webhook-add-url");
    await user.clear(url);
    await user.type(url, "https://contoso.webhook.office.com/webhookb2/abc");
    await user.selectOptions(within(dialog).getByTestId("webhook-add-severity"), "critical");
    await user.click(confirm);
    await waitFor(() => expect(screen.queryByTestId("webhook-add-dialog")).not.toBeInTheDocument());
    const row = await screen.findByTestId("webhook-row-1");
    expect(row).toHaveTextContent("IT channel");
    expect(row).toHaveTextContent("Microsoft Teams");
    expect(row).toHaveTextContent("Critical only");
    expect(row).toHaveTextContent("https://contoso.webhook.office.com/…");
    expect(row).not.toHaveTextContent("webhookb2");
  });

  it("sends a test message and says how it went", async () => {
    const { user, depot } = setup({ webhooks: [HOOK] });
    await user.click(await screen.findByTestId("webhook-test-7"));
    const result = await screen.findByTestId("webhook-test-result-7");
    expect(result).toHaveTextContent("Test message to Service desk delivered (HTTP 200)");
    expect(depot.webhooks.tested).toEqual(["7"]);
  });

  it("shows when each webhook last took a message, or since when it fails and why", async () => {
    setup({
      webhooks: [
        webhook({ id: "1", name: "Fine", lastDeliveredAt: "2026-05-31T20:00:00Z" }),
        webhook({
          id: "2",
          name: "Broken",
          lastDeliveredAt: "2026-05-30T20:00:00Z",
          failingSince: "2026-05-31T21:00:00Z",
          lastError: "the webhook answered HTTP 410",
        }),
        webhook({ id: "3", name: "New" }),
      ],
    });
    expect(await screen.findByTestId("webhook-health-1")).toHaveTextContent(/2026/);
    expect(screen.getByTestId("webhook-health-1")).not.toHaveTextContent("Failing");
    const broken = screen.getByTestId("webhook-health-2");
    expect(broken).toHaveTextContent(/Failing since .*2026/);
    expect(broken).toHaveTextContent("the webhook answered HTTP 410");
    expect(screen.getByTestId("webhook-health-3")).toHaveTextContent("Nothing sent yet");
  });

  it("shows why a test message was not delivered", async () => {
    const { user } = setup({
      webhooks: [HOOK],
      testResult: { delivered: false, status: null, error: "the webhook answered HTTP 410" },
    });
    await user.click(await screen.findByTestId("webhook-test-7"));
    const result = await screen.findByTestId("webhook-test-result-7");
    expect(result).toHaveAttribute("data-delivered", "false");
    expect(result).toHaveTextContent("Service desk not delivered: the webhook answered HTTP 410");
    expect(await screen.findByTestId("webhook-health-7")).toHaveTextContent("Failing since");
  });

  it("removes a webhook after confirming", async () => {
    const { user, depot } = setup({ webhooks: [HOOK] });
    await user.click(await screen.findByTestId("webhook-remove-7"));
    const dialog = await screen.findByTestId("webhook-remove-dialog");
    expect(dialog).toHaveTextContent("Service desk");
    await user.click(within(dialog).getByTestId("webhook-remove-confirm"));
    expect(await screen.findByTestId("webhooks-empty")).toBeInTheDocument();
    expect(depot.webhooks.webhooks).toEqual([]);
  });

  it("offers no changes to a person whose role may not manage", async () => {
    asRole(["read", "assign", "sync"]);
    setup({ webhooks: [HOOK] });
    expect(await screen.findByTestId("webhook-row-7")).toBeInTheDocument();
    expect(screen.queryByTestId("webhooks-add")).not.toBeInTheDocument();
    expect(screen.queryByTestId("webhook-test-7")).not.toBeInTheDocument();
    expect(screen.queryByTestId("webhook-remove-7")).not.toBeInTheDocument();
  });

  it("explains, instead of failing, when the account is limited by scope tags", async () => {
    asRole(["read", "manage"], ["paris"]);
    setup({ webhooks: [HOOK], forbidden: true });
    expect(await screen.findByTestId("webhooks-limited")).toHaveTextContent("every token");
    expect(screen.queryByTestId("webhooks-add")).not.toBeInTheDocument();
  });
});
