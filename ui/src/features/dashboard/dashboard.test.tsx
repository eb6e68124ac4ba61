import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { formatCount } from "../../components/format";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// PLT-2 on the dashboard: devices without a profile whose platform has no
// default, summed over every token.

describe("dashboard: devices without a default", () => {
  it("sums each token's waiting devices and says where to set a default", async () => {
    const depot = fakeDepot({
      tokens: [
        tokenDetail(
          { id: "tok-1", serverName: "Retail West", deviceCount: 2_000 },
          { devicesWithoutDefault: [{ platform: "macOS", count: 1_200 }] },
        ),
        tokenDetail(
          { id: "tok-2", serverName: "Retail East", deviceCount: 40 },
          {
            devicesWithoutDefault: [
              { platform: "tvOS", count: 2 },
              // A family Depot has no platform for is not a missing default.
              { platform: "Watch", count: 5 },
            ],
          },
        ),
      ],
    });
    renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("dashboard-without-default");
    expect(within(card).getByTestId("count-without-default")).toHaveTextContent(formatCount(1_202));
    const mac = within(card).getByTestId("without-default-tok-1-macOS");
    expect(mac).toHaveTextContent(`${formatCount(1_200)} Macs on Retail West: no macOS default.`);
    expect(within(mac).getByRole("link", { name: "Set one" })).toHaveAttribute(
      "href",
      "#/profiles?token=tok-1",
    );
    expect(within(card).getByTestId("without-default-tok-2-tvOS")).toHaveTextContent(
      "2 Apple TVs on Retail East: no tvOS default.",
    );
    expect(within(card).queryByTestId("without-default-tok-2-Watch")).not.toBeInTheDocument();
  });

  it("says so when every platform with new devices has a default", async () => {
    const depot = fakeDepot({ tokens: [tokenDetail({ id: "tok-1", serverName: "Retail West" })] });
    renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("dashboard-without-default");
    expect(within(card).getByTestId("count-without-default")).toHaveTextContent("0");
    expect(card).toHaveTextContent("Every platform with new devices has a default profile.");
  });
});
