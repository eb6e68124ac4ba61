import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PlatformMismatchDto } from "../../bindings/PlatformMismatchDto";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// PLT-2 on the token page: a default per platform, the devices that wait
// because their platform has none, Apple's device limit, and the devices that
// already hold another platform's profile.

const mismatch = (i: number): PlatformMismatchDto => ({
  serial: `MAC0000000${String(i).padStart(2, "0")}`,
  family: i === 0 ? "AppleTV" : "Mac",
  profileId: "7",
  profileName: "Retail iPads",
  profilePlatform: "iOS",
  profileStatus: i % 2 === 0 ? "pushed" : "assigned",
});

function token() {
  return tokenDetail(
    {
      id: "tok-1",
      serverName: "Sales-East",
      deviceCount: 200_412,
      overDeviceLimit: true,
      defaultProfile: "Retail iPads",
      defaultProfiles: [
        { platform: "iOS", label: "iOS/iPadOS", profile: "Retail iPads" },
        { platform: "tvOS", label: "tvOS", profile: "Lobby TVs" },
      ],
    },
    {
      devicesWithoutDefault: [
        { platform: "macOS", count: 14 },
        { platform: "visionOS", count: 1 },
        { platform: "Watch", count: 3 },
      ],
      platformMismatches: Array.from({ length: 12 }, (_, i) => mismatch(i)),
    },
  );
}

describe("token page: platforms", () => {
  it("lists each platform's default, the devices that wait for one, and the device limit", async () => {
    const depot = fakeDepot({ tokens: [token()] });
    renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    await screen.findByTestId("token-detail");

    const defaults = screen.getByTestId("detail-default-profiles");
    expect(within(defaults).getByTestId("default-iOS")).toHaveTextContent(
      "iOS/iPadOS: Retail iPads",
    );
    expect(within(defaults).getByTestId("default-tvOS")).toHaveTextContent("tvOS: Lobby TVs");

    const waiting = screen.getByTestId("devices-without-default");
    expect(within(waiting).getByTestId("without-default-macOS")).toHaveTextContent(
      "14 Macs wait: no macOS default profile.",
    );
    expect(within(waiting).getByTestId("without-default-visionOS")).toHaveTextContent(
      "1 Apple Vision Pro waits: no visionOS default profile.",
    );
    expect(within(waiting).getByTestId("without-default-profiles-link")).toHaveAttribute(
      "href",
      "#/profiles?token=tok-1",
    );
    expect(screen.getByTestId("devices-unknown-family")).toHaveTextContent(
      "3 Watch devices have no profile",
    );

    expect(screen.getByTestId("token-over-limit")).toHaveTextContent(
      "Apple supports at most 200,000 devices on one MDM server, and Sales-East has 200,412.",
    );
  });

  it("lists the devices holding another platform's profile, with a way to assign the right one", async () => {
    const depot = fakeDepot({ tokens: [token()] });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    const card = await screen.findByTestId("mismatch-card");
    expect(card).toHaveTextContent("Devices on another platform's profile (12)");
    const table = within(card).getByTestId("token-mismatches");
    expect(within(table).getAllByTestId(/^mismatch-MAC/)).toHaveLength(10);
    const first = within(table).getByTestId("mismatch-MAC000000000");
    expect(first).toHaveTextContent("Apple TV");
    expect(first).toHaveTextContent("Retail iPads (iOS/iPadOS)");
    expect(first).toHaveTextContent("Assign the right profile, then erase the device");
    expect(within(table).getByTestId("mismatch-MAC000000001")).toHaveTextContent(
      /Assign the right profile$/,
    );
    await user.click(within(table).getByTestId("token-mismatches-toggle"));
    expect(within(table).getAllByTestId(/^mismatch-MAC/)).toHaveLength(12);

    const assign = within(card).getByTestId("mismatch-assign");
    expect(assign.getAttribute("href")).toBe(
      `#/devices?token=tok-1&serials=${encodeURIComponent(
        Array.from({ length: 12 }, (_, i) => mismatch(i).serial).join(","),
      )}`,
    );
  });

  it("shows no platform warnings for a token that needs none", async () => {
    const depot = fakeDepot({ tokens: [tokenDetail({ id: "tok-2", serverName: "Quiet" })] });
    renderApp({ handlers: depot.handlers, at: "#/tokens/tok-2" });
    await screen.findByTestId("token-detail");
    expect(screen.getByTestId("detail-default-profiles")).toHaveTextContent("None");
    expect(screen.queryByTestId("devices-without-default")).not.toBeInTheDocument();
    expect(screen.queryByTestId("token-over-limit")).not.toBeInTheDocument();
    expect(screen.queryByTestId("mismatch-card")).not.toBeInTheDocument();
  });

  it("warns in the renew dialog, before the portal step, that the old token stops at once", async () => {
    const depot = fakeDepot({ tokens: [token()] });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    await user.click(await screen.findByTestId("renew-token"));
    const dialog = await screen.findByTestId("renew-dialog");
    const note = within(dialog).getByTestId("renew-old-token-note");
    expect(note).toHaveTextContent(
      /Downloading a new token in Apple's portal cancels the current one straight away/,
    );
    const portalStep = within(dialog).getByText(/Download Token/);
    // The warning comes first in the dialog.
    expect(
      note.compareDocumentPosition(portalStep) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });
});
