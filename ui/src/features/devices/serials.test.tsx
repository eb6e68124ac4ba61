import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Host } from "../../platform";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeDevices, giveVirtualListsHeight } from "../../test/fakeDevices";
import { browserDownloads } from "../../test/fakeHost";
import { fakeProfiles } from "../../test/fakeProfiles";
import { renderApp } from "../../test/renderApp";

const TOKENS = [
  tokenDetail({ id: "1", serverName: "Retail West" }),
  tokenDetail({ id: "2", serverName: "Retail East" }),
];

function setup({ host, count }: { host?: Partial<Host>; count?: number } = {}) {
  giveVirtualListsHeight();
  const depot = fakeDepot({ tokens: TOKENS });
  const profiles = fakeProfiles(depot, {
    enrollmentUrl: "https://mdm.contoso.com/enroll",
    // Generated devices of a token hold its first profile by name: Kiosks.
    profiles: [
      { id: "8", tokenId: "1", name: "Kiosks" },
      { id: "7", tokenId: "1", name: "Sales iPads" },
      { id: "9", tokenId: "2", name: "Warehouse" },
    ],
  });
  const devices = fakeDevices(depot, { profiles, ...(count === undefined ? {} : { count }) });
  const view = renderApp({
    handlers: { ...depot.handlers, ...profiles.handlers, ...devices.handlers },
    at: "#/devices",
    host,
  });
  return { ...view, devices };
}

/** Apple Business Manager's export, with a bad row, a row without a serial and a repeat. */
const CSV = [
  "Serial Number,Model",
  "C02X000006,iPad Air",
  "not a serial!,iPad",
  ",iPad",
  "UNKNOWN00001,iPad",
  "c02x000006,iPad Air",
  "DMPX000001,iPhone",
].join("\n");

async function openPanel(user: ReturnType<typeof setup>["user"]) {
  await user.click(await screen.findByTestId("devices-serials"));
  return screen.findByTestId("serials-panel");
}

async function chooseProfile(
  user: ReturnType<typeof setup>["user"],
  panel: HTMLElement,
  tokenId: string,
  profileId: string,
) {
  await user.selectOptions(within(panel).getByTestId("serials-token"), tokenId);
  await user.selectOptions(await within(panel).findByTestId("serials-profile"), profileId);
}

describe("Apple serial numbers", () => {
  it("previews an imported CSV, lists its bad lines and sends nothing until Confirm", async () => {
    const browser = browserDownloads();
    const pickFiles = vi.fn(() =>
      Promise.resolve([{ name: "abm-export.csv", bytes: new TextEncoder().encode(CSV) }]),
    );
    const { user, backend, devices } = setup({ host: { ...browser.host, pickFiles } });
    devices.state.previewWarnings = [
      "Only 1 Company Portal licence is left on 'HQ Apps': 1 device would get none.",
    ];
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("serials-preview")).toBeDisabled();

    await chooseProfile(user, panel, "1", "7");
    await user.click(within(panel).getByTestId("serials-import"));
    expect(await within(panel).findByTestId("serials-file")).toHaveTextContent("abm-export.csv");
    expect(pickFiles).toHaveBeenCalledWith(expect.stringContaining(".csv"), false);
    expect(within(panel).getByTestId("serials-input")).toHaveValue(CSV);

    await user.click(within(panel).getByTestId("serials-preview"));
    const preview = await within(panel).findByTestId("assignment-preview");
    expect(backend.calls.filter((c) => c.name === "assignments.preview").at(-1)?.payload).toEqual({
      tokenId: "1",
      profileId: "7",
      text: CSV,
    });
    const bad = within(preview).getByTestId("preview-bad-rows");
    expect(within(bad).getByTestId("preview-bad-row-3")).toHaveTextContent(
      /not a serial!.*not a serial number/,
    );
    expect(within(bad).getByTestId("preview-bad-row-4")).toHaveTextContent(/no serial number/);
    expect(within(preview).getByTestId("preview-duplicates")).toHaveTextContent("1 serial number");
    expect(within(preview).getByTestId("preview-count-ready")).toHaveAttribute("data-count", "1");
    expect(within(preview).getByTestId("preview-count-unknown")).toHaveAttribute("data-count", "1");
    expect(within(preview).getByTestId("preview-row-DMPX000001")).toHaveAttribute(
      "data-class",
      "otherToken",
    );
    expect(within(preview).getByTestId("preview-row-DMPX000001")).toHaveTextContent("Retail East");
    expect(within(panel).getByTestId("assignment-wipe-note")).toBeInTheDocument();
    // What the backend warns about is shown before Confirm.
    expect(within(preview).getByTestId("preview-warning")).toHaveTextContent(
      "Only 1 Company Portal licence is left on 'HQ Apps'",
    );
    // A count narrows the grid to its class.
    await user.click(within(preview).getByTestId("preview-count-unknown"));
    expect(within(preview).queryByTestId("preview-row-C02X000006")).not.toBeInTheDocument();
    expect(within(preview).getByTestId("preview-row-UNKNOWN00001")).toBeInTheDocument();
    expect(backend.calls.some((c) => c.name === "assignments.start")).toBe(false);

    const confirm = within(panel).getByTestId("serials-confirm");
    expect(confirm).toHaveTextContent("assign to 2 devices");
    await user.click(confirm);
    expect(backend.calls.filter((c) => c.name === "assignments.start")).toEqual([
      {
        name: "assignments.start",
        payload: { tokenId: "1", profileId: "7", serials: ["C02X000006", "UNKNOWN00001"] },
      },
    ]);
    const run = await within(panel).findByTestId("assignment-run");
    await waitFor(() => expect(run).toHaveAttribute("data-result", "partial"));
    const results = await within(panel).findByTestId("assignment-results");
    expect(within(results).getByTestId("assignment-result-C02X000006")).toHaveAttribute(
      "data-outcome",
      "SUCCESS",
    );
    expect(within(results).getByTestId("assignment-result-UNKNOWN00001")).toHaveAttribute(
      "data-outcome",
      "NOT_ACCESSIBLE",
    );
    expect(within(run).getByTestId("assignment-counts")).toHaveTextContent(
      "1 not accessible to this MDM server",
    );

    await user.click(within(results).getByTestId("assignment-export-results"));
    await waitFor(() => expect(browser.downloads).toHaveLength(1));
    const { fileName, contents, mimeType } = browser.downloads[0] ?? { contents: "" };
    expect(fileName).toBe("depot-assignment-dev-run-1-results.csv");
    expect(mimeType).toBe("text/csv");
    expect(contents.split("\n")).toEqual([
      "serial,outcome,detail,answered_at,batch",
      expect.stringMatching(/^C02X000006,SUCCESS,,2026-06-01T00:00:00Z,1$/),
      expect.stringMatching(/^UNKNOWN00001,NOT_ACCESSIBLE,Apple answered NOT_ACCESSIBLE,/),
      "",
    ]);
    expect(await within(results).findByTestId("assignment-exported")).toHaveTextContent(
      "depot-assignment-dev-run-1-results.csv",
    );
  });

  it("shows progress as serials are answered, and stops a run", async () => {
    const { user, backend, devices } = setup();
    devices.state.answersPerPoll = 1;
    const panel = await openPanel(user);
    await chooseProfile(user, panel, "1", "7");
    await user.click(within(panel).getByTestId("serials-input"));
    await user.paste("C02X000006\nC02X000010\nC02X000014\n");
    await user.click(within(panel).getByTestId("serials-preview"));
    expect(await within(panel).findByTestId("serials-confirm")).toHaveTextContent(
      "assign to 3 devices",
    );
    await user.click(within(panel).getByTestId("serials-confirm"));

    const progress = await within(panel).findByTestId("assignment-progress");
    expect(progress).toHaveTextContent("0 of 3 answered");
    expect(within(progress).getByRole("progressbar")).toBeInTheDocument();
    await user.click(within(panel).getByTestId("assignment-cancel"));
    const run = within(panel).getByTestId("assignment-run");
    await waitFor(() => expect(run).toHaveAttribute("data-result", "cancelled"));
    expect(backend.calls.some((c) => c.name === "assignments.cancel")).toBe(true);
    const results = await within(panel).findByTestId("assignment-results");
    expect(within(results).getAllByText("Not sent").length).toBeGreaterThan(0);
    expect(within(run).getByTestId("assignment-counts")).toHaveTextContent("not sent");

    // Start again with an empty list.
    await user.click(within(panel).getByTestId("serials-new"));
    expect(within(panel).getByTestId("serials-input")).toHaveValue("");
  });

  it("is there before the first device arrives", async () => {
    const { user } = setup({ count: 0 });
    expect(await screen.findByTestId("devices-empty")).toBeInTheDocument();
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("serials-token")).toHaveValue("");
    await user.click(within(panel).getByTestId("serials-done"));
    await waitFor(() => expect(screen.queryByTestId("serials-panel")).not.toBeInTheDocument());
  });
});
