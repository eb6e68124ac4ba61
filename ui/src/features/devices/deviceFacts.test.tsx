import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeDevices, giveVirtualListsHeight } from "../../test/fakeDevices";
import { renderApp } from "../../test/renderApp";

// Generated devices (see fakeDevices): DMPX000001 is an iPhone of token 2
// with IMEI 350000000000001, Wi-Fi MAC f0:18:01:00:00:01 and Bluetooth MAC
// f0:18:02:00:00:01; DMPX000013 (a Mac) is a replacement device that
// replaced ORIG000013 on 2026-01-15; C02X000002 (an iPad) has MACs only.

function setup() {
  giveVirtualListsHeight();
  const depot = fakeDepot({
    tokens: [
      tokenDetail({ id: "1", serverName: "Retail West" }),
      tokenDetail({ id: "2", serverName: "Retail East" }),
    ],
  });
  const devices = fakeDevices(depot);
  const view = renderApp({ handlers: { ...depot.handlers, ...devices.handlers }, at: "#/devices" });
  return { ...view, devices };
}

const row = (serial: string) => screen.findByTestId(`device-row-${serial}`);

async function search(user: ReturnType<typeof setup>["user"], text: string) {
  const box = await screen.findByTestId("devices-search");
  await user.clear(box);
  await user.type(box, text);
}

async function open(user: ReturnType<typeof setup>["user"], serial: string) {
  await search(user, serial);
  await user.click(await row(serial));
  const drawer = await screen.findByTestId("device-drawer");
  await within(drawer).findByTestId("device-detail");
  return drawer;
}

describe("Device facts", () => {
  it("finds a device by IMEI or MAC, with or without separators", async () => {
    const { user } = setup();
    await row("C02X000002");
    for (const word of ["350000000000001", "F01802000001", "f0-18-01-00-00-01"]) {
      // Read as identifiers, not as the start of a serial number.
      await search(user, word);
      await waitFor(() =>
        expect(screen.getByTestId("devices-total")).toHaveTextContent("1 device"),
      );
      await row("DMPX000001");
      expect(screen.getByTestId("devices-search-mode")).toHaveAttribute("data-mode", "text");
    }
  });

  it("lists the identifiers Apple sent, and only those", async () => {
    const { user } = setup();
    const drawer = await open(user, "DMPX000001");
    const facts = within(drawer).getByTestId("device-identifiers");
    expect(within(facts).getByTestId("device-imei")).toHaveTextContent("350000000000001");
    expect(within(facts).getByTestId("device-eid")).toHaveTextContent(
      "89040000000000000000000000000001",
    );
    expect(within(facts).getByTestId("device-wifi-mac")).toHaveTextContent("f0:18:01:00:00:01");
    expect(within(facts).getByTestId("device-bluetooth-mac")).toHaveTextContent(
      "f0:18:02:00:00:01",
    );
    expect(facts).toHaveTextContent("IMEI");
    expect(facts).not.toHaveTextContent("IMEIs");
    for (const absent of ["device-meid", "device-ethernet-mac", "device-released-by-replacement"]) {
      expect(within(facts).queryByTestId(absent)).not.toBeInTheDocument();
    }
    expect(facts).not.toHaveTextContent("Replacement device");

    await user.click(within(drawer).getByTestId("device-drawer-close"));
    const ipad = await open(user, "C02X000002");
    const macsOnly = within(ipad).getByTestId("device-identifiers");
    expect(within(macsOnly).queryByTestId("device-imei")).not.toBeInTheDocument();
    expect(within(macsOnly).queryByTestId("device-eid")).not.toBeInTheDocument();
    expect(within(macsOnly).getByTestId("device-wifi-mac")).toBeInTheDocument();
  });

  it("asks Apple once which device a replacement replaced", async () => {
    const { user, devices } = setup();
    const drawer = await open(user, "DMPX000013");
    expect(await within(drawer).findByTestId("device-replacement")).toHaveTextContent(
      "Replaced ORIG000013 on 2026-01-15",
    );
    expect(devices.state.replacementAsks).toEqual(["DMPX000013"]);
  });

  it("says when Apple can't be asked, and asks again on request", async () => {
    const { user, devices } = setup();
    devices.state.appleUnreachable = true;
    const drawer = await open(user, "DMPX000013");
    const failed = await within(drawer).findByTestId("device-replacement-error");
    expect(failed).toHaveTextContent(/couldn't ask Apple which device it replaced/);
    expect(failed).toHaveTextContent(/could not be reached/);
    devices.state.appleUnreachable = false;
    await user.click(within(drawer).getByTestId("device-replacement-retry"));
    expect(await within(drawer).findByTestId("device-replacement")).toHaveTextContent(
      "Replaced ORIG000013 on 2026-01-15",
    );
  });
});
