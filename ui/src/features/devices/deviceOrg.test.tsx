import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { queryKeys } from "../../app/api";
import type { Handlers } from "../../test/fakeBackend";
import { failure } from "../../test/fakeBackend";
import {
  fakeDepot,
  orgAccount,
  orgDevice,
  tokenDetail,
  type FakeOrgOptions,
} from "../../test/fakeDepot";
import { fakeDevices, giveVirtualListsHeight } from "../../test/fakeDevices";
import { renderApp } from "../../test/renderApp";

// DMPX000001 is a generated iPhone of token 2 (see fakeDevices).
const SERIAL = "DMPX000001";

const ACCOUNT = orgAccount({
  id: "org-a",
  servers: [{ id: "srv-1", name: "Retail East", serverType: "MDM", tokenId: "2", devices: 1 }],
});

const ASSIGNED = orgDevice({
  serial: SERIAL,
  status: "ASSIGNED",
  serverId: "srv-1",
  serverName: "Retail East",
  tokenId: "2",
  orderNumber: "ORD-777",
  orderedAt: "2026-01-15T00:00:00Z",
  purchaseSourceType: "RESELLER",
  purchaseSourceId: "123456",
});

function setup(org: FakeOrgOptions, extra: Handlers = {}) {
  giveVirtualListsHeight();
  const depot = fakeDepot({
    tokens: [
      tokenDetail({ id: "1", serverName: "Retail West" }),
      tokenDetail({ id: "2", serverName: "Retail East" }),
    ],
    org,
  });
  const devices = fakeDevices(depot);
  return renderApp({
    handlers: { ...depot.handlers, ...devices.handlers, ...extra },
    at: "#/devices",
  });
}

async function open(user: ReturnType<typeof setup>["user"], serial: string) {
  const box = await screen.findByTestId("devices-search");
  await user.clear(box);
  await user.type(box, serial);
  await user.click(await screen.findByTestId(`device-row-${serial}`));
  const drawer = await screen.findByTestId("device-drawer");
  await within(drawer).findByTestId("device-detail");
  return drawer;
}

const orgDeviceCalls = (calls: { name: string; payload: unknown }[]) =>
  calls.filter((c) => c.name === "org.device").map((c) => c.payload);

describe("A device's organisation section", () => {
  it("is hidden, and the organisation not asked, without an API account", async () => {
    const { user, backend, client } = setup({ accounts: [], devices: [ASSIGNED] });
    const drawer = await open(user, SERIAL);
    await waitFor(() => expect(client.getQueryState(queryKeys.orgList)?.status).toBe("success"));
    expect(within(drawer).queryByTestId("device-org")).not.toBeInTheDocument();
    expect(orgDeviceCalls(backend.calls)).toEqual([]);
  });

  it("shows the organisation's view and the AppleCare coverage", async () => {
    const { user, backend } = setup({
      accounts: [ACCOUNT],
      devices: [ASSIGNED],
      coverage: {
        [SERIAL]: [
          {
            description: "AppleCare+ for iPhone",
            status: "ACTIVE",
            paymentType: "PAID_UP_FRONT",
            startsAt: "2026-01-20T00:00:00Z",
            endsAt: "2028-01-20T00:00:00Z",
            renewable: true,
            canceled: false,
            agreementNumber: "AGR-42",
          },
          {
            description: "Limited Warranty",
            status: "INACTIVE",
            paymentType: "NONE",
            startsAt: "2025-01-20T00:00:00Z",
            endsAt: "2026-01-20T00:00:00Z",
            renewable: false,
            canceled: true,
            agreementNumber: null,
          },
        ],
      },
    });
    const drawer = await open(user, SERIAL);
    const section = await within(drawer).findByTestId("device-org");
    const status = await within(section).findByTestId("device-org-status");
    expect(status).toHaveTextContent("ASSIGNED");
    expect(within(section).getByTestId("device-org-server")).toHaveTextContent("Retail East");
    expect(section).toHaveTextContent("ORD-777");
    expect(section).toHaveTextContent("Jan 15, 2026");
    expect(section).toHaveTextContent("RESELLER 123456");

    const coverage = within(section).getByTestId("device-applecare");
    const care = within(coverage).getByTestId("device-applecare-0");
    expect(care).toHaveTextContent("AppleCare+ for iPhone");
    expect(care).toHaveTextContent("ACTIVE");
    expect(care).toHaveTextContent("Jan 20, 2026 – Jan 20, 2028");
    expect(care).toHaveTextContent("PAID_UP_FRONT");
    expect(care).toHaveTextContent("renewable");
    expect(care).toHaveTextContent("Agreement AGR-42");
    const warranty = within(coverage).getByTestId("device-applecare-1");
    expect(warranty).toHaveTextContent("INACTIVE");
    expect(warranty).toHaveTextContent("Cancelled");
    expect(warranty).not.toHaveTextContent("renewable");
    expect(within(section).queryByTestId("device-applecare-none")).not.toBeInTheDocument();

    expect(within(section).getByRole("link", { name: "Open in Organisation" })).toHaveAttribute(
      "href",
      "#/organisation",
    );
    expect(orgDeviceCalls(backend.calls)).toEqual([{ serial: SERIAL }]);
  });

  it("says when Apple lists no coverage", async () => {
    const { user } = setup({
      accounts: [ACCOUNT],
      devices: [orgDevice({ serial: SERIAL })],
    });
    const drawer = await open(user, SERIAL);
    const none = await within(drawer).findByTestId("device-applecare-none");
    expect(none).toHaveTextContent("No AppleCare coverage");
    const status = within(drawer).getByTestId("device-org-status");
    expect(status).toHaveTextContent("UNASSIGNED");
    expect(within(drawer).getByTestId("device-org-server")).toHaveTextContent("—");
  });

  it("says the device is not in the organisation's copy, once, on NOT_FOUND", async () => {
    const { user, backend } = setup({ accounts: [ACCOUNT], devices: [] });
    const drawer = await open(user, SERIAL);
    const missing = await within(drawer).findByTestId("device-org-missing");
    expect(missing).toHaveTextContent("not in the organisation's copy");
    expect(missing).toHaveTextContent("sync the account");
    expect(within(missing).getByRole("link", { name: "Organisation" })).toHaveAttribute(
      "href",
      "#/organisation",
    );
    expect(within(drawer).queryByTestId("device-applecare")).not.toBeInTheDocument();
    // NOT_FOUND is an answer: not asked again.
    expect(orgDeviceCalls(backend.calls)).toEqual([{ serial: SERIAL }]);
  });

  it("shows a small error when the organisation can't be read", async () => {
    const { user } = setup(
      { accounts: [ACCOUNT], devices: [ASSIGNED] },
      { "org.device": () => failure("APPLE_UNAVAILABLE", "Apple did not answer") },
    );
    const drawer = await open(user, SERIAL);
    const error = await within(drawer).findByTestId("device-org-error");
    expect(error).toHaveTextContent("Apple did not answer");
    expect(within(drawer).queryByTestId("device-org-missing")).not.toBeInTheDocument();
    expect(within(drawer).getByTestId("device-org")).toBeInTheDocument();
  });
});
