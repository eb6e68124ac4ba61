import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeDepot } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

describe("dashboard: what needs attention", () => {
  const alerts = [
    {
      key: "tokenExpired:1",
      kind: "tokenExpired",
      severity: "critical" as const,
      subject: { kind: "token" as const, id: "1", name: "Retail West" },
      since: "2027-01-02T00:00:00Z",
      message: "The enrollment program token 'Retail West' expired on 2027-01-02.",
      action: "Download a new server token and renew it in Depot.",
    },
    {
      key: "licencesLow:3",
      kind: "licencesLow",
      severity: "warning" as const,
      subject: { kind: "vppToken" as const, id: "3", name: "HQ Apps" },
      since: "2026-12-01T00:00:00Z",
      message: "40 devices wait for the Company Portal, but only 10 licences are available.",
      action: "Buy more licences.",
    },
    {
      key: "orgAccountFailing:7",
      kind: "orgAccountFailing",
      severity: "warning" as const,
      subject: { kind: "orgAccount" as const, id: "7", name: "Contoso ABM" },
      since: "2026-12-02T00:00:00Z",
      message: "Depot has not been able to read the organisation through 'Contoso ABM'.",
      action: "Check the API account in Apple Business Manager.",
    },
  ];

  it("lists the alerts worst first, each with the way to its fix", async () => {
    const depot = fakeDepot({ alerts });
    renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("needs-attention");
    const items = await within(card).findAllByRole("listitem");
    expect(items.map((i) => i.dataset.severity)).toEqual(["critical", "warning", "warning"]);
    expect(items[0]).toHaveTextContent("'Retail West' expired");
    expect(within(card).getByTestId("alert-fix-tokenExpired:1")).toHaveAttribute(
      "href",
      "#/tokens/1",
    );
    expect(within(card).getByTestId("alert-fix-licencesLow:3")).toHaveAttribute("href", "#/vpp");
    const org = within(card).getByTestId("alert-fix-orgAccountFailing:7");
    expect(org).toHaveAttribute("href", "#/organisation");
    expect(org).toHaveTextContent("Open Organisation");
  });

  it("shows a critical alert on every page, and nothing when all is well", async () => {
    const depot = fakeDepot({ alerts });
    renderApp({ handlers: depot.handlers, at: "#/settings" });
    const banner = await screen.findByTestId("critical-banner");
    expect(banner).toHaveTextContent("'Retail West' expired");
    expect(within(banner).getByTestId("critical-banner-fix")).toHaveAttribute("href", "#/tokens/1");

    const calm = fakeDepot();
    renderApp({ handlers: calm.handlers, at: "#/dashboard" });
    expect(await screen.findByTestId("needs-attention-none")).toBeInTheDocument();
    expect(screen.queryAllByTestId("critical-banner")).toHaveLength(1);
  });
});
