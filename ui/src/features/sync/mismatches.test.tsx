import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PlatformMismatchDto } from "../../bindings/PlatformMismatchDto";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// Devices that received another platform's profile are listed with the sync
// status of their token, with a way to assign them the right one.

const MISMATCHES: PlatformMismatchDto[] = [
  {
    serial: "C02XL0AAJGH5",
    family: "Mac",
    profileId: "7",
    profileName: "Retail iPads",
    profilePlatform: "iOS",
    profileStatus: "pushed",
  },
  {
    serial: "DY3XK2ABCD77",
    family: "AppleTV",
    profileId: "7",
    profileName: "Retail iPads",
    profilePlatform: "iOS",
    profileStatus: "assigned",
  },
];

describe("Sync page: devices on another platform's profile", () => {
  it("lists them under their token and links to assigning the right profile", async () => {
    const depot = fakeDepot({
      tokens: [
        tokenDetail({ id: "tok-1", serverName: "Retail West" }, { platformMismatches: MISMATCHES }),
        tokenDetail({ id: "tok-2", serverName: "Retail East" }),
      ],
    });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/sync" });
    const notice = await screen.findByTestId("sync-mismatches-tok-1");
    expect(notice).toHaveTextContent("2 devices received another platform's profile");
    expect(screen.queryByTestId("sync-mismatches-tok-2")).not.toBeInTheDocument();
    expect(within(notice).getByTestId("sync-mismatches-assign-tok-1")).toHaveAttribute(
      "href",
      "#/devices?token=tok-1&serials=C02XL0AAJGH5%2CDY3XK2ABCD77",
    );

    expect(screen.queryByTestId("sync-mismatch-list-tok-1")).not.toBeInTheDocument();
    await user.click(within(notice).getByTestId("sync-mismatches-show-tok-1"));
    const list = screen.getByTestId("sync-mismatch-list-tok-1");
    const mac = within(list).getByTestId("mismatch-C02XL0AAJGH5");
    expect(mac).toHaveTextContent("Mac");
    expect(mac).toHaveTextContent("Retail iPads (iOS/iPadOS)");
    expect(mac).toHaveTextContent("Assign the right profile, then erase the device");
    expect(within(list).getByTestId("mismatch-DY3XK2ABCD77")).toHaveTextContent("Apple TV");
  });
});
