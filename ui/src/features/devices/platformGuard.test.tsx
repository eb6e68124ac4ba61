import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeDevices, giveVirtualListsHeight } from "../../test/fakeDevices";
import { fakeProfiles } from "../../test/fakeProfiles";
import { renderApp } from "../../test/renderApp";

// PLT-3: the preview refuses a profile made for another platform (and a Shared
// iPad profile for anything but an iPad); refused serials are never sent.

/** Generated devices of token 1: F9FX000008 is a Mac, C02X000006 an iPhone. */
const MAC = "F9FX000008";
const IPHONE = "C02X000006";

function setup(at = "#/devices") {
  giveVirtualListsHeight();
  const depot = fakeDepot({
    tokens: [
      tokenDetail({ id: "1", serverName: "Retail West" }),
      tokenDetail({ id: "2", serverName: "Retail East" }),
    ],
  });
  const profiles = fakeProfiles(depot, {
    enrollmentUrl: "https://mdm.contoso.com/enroll",
    profiles: [
      { id: "8", tokenId: "1", name: "Kiosks" },
      { id: "11", tokenId: "1", name: "Lab Macs", draft: { platform: "macOS" } },
      { id: "12", tokenId: "1", name: "Shared carts", draft: { sharedIPad: true } },
    ],
  });
  const devices = fakeDevices(depot, { profiles });
  const view = renderApp({
    handlers: { ...depot.handlers, ...profiles.handlers, ...devices.handlers },
    at,
  });
  return view;
}

describe("Assignment guards", () => {
  it("shows refused rows with their reason, counted apart, and never sends them", async () => {
    const { user, backend } = setup();
    await user.click(await screen.findByTestId("devices-serials"));
    const panel = await screen.findByTestId("serials-panel");
    await user.selectOptions(within(panel).getByTestId("serials-token"), "1");
    await user.selectOptions(await within(panel).findByTestId("serials-profile"), "11");
    await user.click(within(panel).getByTestId("serials-input"));
    await user.paste(`${MAC}\n${IPHONE}\n`);
    await user.click(within(panel).getByTestId("serials-preview"));

    const preview = await within(panel).findByTestId("assignment-preview");
    expect(within(preview).getByTestId("preview-count-refused")).toHaveAttribute("data-count", "1");
    expect(within(preview).getByTestId("preview-count-refused")).toHaveTextContent("Refused");
    const row = within(preview).getByTestId(`preview-row-${IPHONE}`);
    expect(row).toHaveAttribute("data-class", "refused");
    expect(row).toHaveAttribute("data-will-send", "false");
    expect(row).toHaveTextContent(
      /platform mismatch: this iPhone needs an iOS\/iPadOS profile, not a macOS one/,
    );
    expect(within(preview).getByTestId("preview-summary")).toHaveTextContent(
      "1 device is refused and never sent.",
    );
    expect(within(preview).getByTestId("preview-refused")).toHaveTextContent(
      "1 device refused: not sent to Apple",
    );

    const confirm = within(panel).getByTestId("serials-confirm");
    expect(confirm).toHaveTextContent("assign to 1 device");
    await user.click(confirm);
    expect(backend.calls.filter((c) => c.name === "assignments.start").at(-1)?.payload).toEqual({
      tokenId: "1",
      profileId: "11",
      serials: [MAC],
    });
  });

  it("refuses a Shared iPad profile for devices that are not iPads", async () => {
    const { user } = setup();
    await user.click(await screen.findByTestId("devices-serials"));
    const panel = await screen.findByTestId("serials-panel");
    await user.selectOptions(within(panel).getByTestId("serials-token"), "1");
    await user.selectOptions(await within(panel).findByTestId("serials-profile"), "12");
    await user.click(within(panel).getByTestId("serials-input"));
    await user.paste(`${IPHONE}\n`);
    await user.click(within(panel).getByTestId("serials-preview"));
    const preview = await within(panel).findByTestId("assignment-preview");
    expect(within(preview).getByTestId(`preview-row-${IPHONE}`)).toHaveTextContent(
      /Shared iPad profiles are for iPads only/,
    );
    expect(within(panel).getByTestId("serials-confirm")).toBeDisabled();
  });

  it("opens the serial-number panel with the serials a link names", async () => {
    setup(`#/devices?token=1&serials=${MAC},${IPHONE}`);
    const panel = await screen.findByTestId("serials-panel");
    expect(within(panel).getByTestId("serials-token")).toHaveValue("1");
    expect(within(panel).getByTestId("serials-input")).toHaveValue(`${MAC}\n${IPHONE}`);
  });
});
