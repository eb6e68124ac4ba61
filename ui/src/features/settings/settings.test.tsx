import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { DEMO_ENROLLMENT_URL, fakeProfiles } from "../../test/fakeProfiles";
import { renderApp } from "../../test/renderApp";

function setup(enrollmentUrl: string | null = null) {
  const depot = fakeDepot({
    tokens: [
      tokenDetail({ id: "1", serverName: "Retail West" }),
      tokenDetail(
        { id: "2", serverName: "Simulator — Contoso Demo", simulator: true },
        { appleUrl: "simulator" },
      ),
    ],
  });
  const fake = fakeProfiles(depot, { enrollmentUrl });
  const view = renderApp({ handlers: { ...depot.handlers, ...fake.handlers }, at: "#/settings" });
  return { ...view, fake };
}

describe("Enrollment URLs", () => {
  it("saves the workspace URLs and shows what each token then uses", async () => {
    const { user, fake, backend } = setup();
    const url = await screen.findByTestId("settings-enrollment-url");
    expect(url).toHaveValue("");
    const save = screen.getByTestId("settings-enrollment-save");
    expect(save).toBeDisabled();

    // Nothing set: the Apple token has no URL; the simulator's token uses the demo URL.
    const apple = screen.getByTestId("token-urls-row-1");
    const demo = screen.getByTestId("token-urls-row-2");
    expect(within(apple).getByTestId("token-effective-enrollment-url")).toHaveAttribute(
      "data-origin",
      "unset",
    );
    const demoUrl = within(demo).getByTestId("token-effective-enrollment-url");
    expect(demoUrl).toHaveAttribute("data-origin", "demo");
    expect(demoUrl).toHaveTextContent(DEMO_ENROLLMENT_URL);
    expect(within(demo).getByTestId("simulator-badge")).toBeInTheDocument();

    await user.type(url, "https://mdm.contoso.com/enroll");
    await user.type(
      screen.getByTestId("settings-configuration-web-url"),
      "https://mdm.contoso.com/sign-in",
    );
    await user.click(save);
    expect(await screen.findByTestId("settings-enrollment-saved")).toBeInTheDocument();
    expect(fake.state.settings).toEqual({
      enrollmentUrl: "https://mdm.contoso.com/enroll",
      configurationWebUrl: "https://mdm.contoso.com/sign-in",
    });
    expect(
      backend.calls.filter((c) => c.name === "settings.setEnrollment").at(-1)?.payload,
    ).toEqual({
      enrollmentUrl: "https://mdm.contoso.com/enroll",
      configurationWebUrl: "https://mdm.contoso.com/sign-in",
    });
    await waitFor(() =>
      expect(
        within(screen.getByTestId("token-urls-row-1")).getByTestId(
          "token-effective-enrollment-url",
        ),
      ).toHaveAttribute("data-origin", "workspace"),
    );
    expect(
      within(screen.getByTestId("token-urls-row-2")).getByTestId("token-effective-enrollment-url"),
    ).toHaveTextContent("https://mdm.contoso.com/enroll");
  });

  it("shows a refused URL at its field", async () => {
    const { user, fake } = setup();
    await user.type(await screen.findByTestId("settings-enrollment-url"), "http://mdm.contoso.com");
    await user.click(screen.getByTestId("settings-enrollment-save"));
    const field = screen.getByTestId("settings-enrollment-url-field");
    await waitFor(() => expect(field).toHaveTextContent("The address must start with https://"));
    expect(fake.state.settings.enrollmentUrl).toBeNull();
    // Editing the value clears the message.
    await user.type(screen.getByTestId("settings-enrollment-url"), "/x");
    expect(field).not.toHaveTextContent("must start with https://");
  });

  it("gives one token URLs of its own, and takes them away again", async () => {
    const { user, fake } = setup("https://mdm.contoso.com/enroll");
    await user.click(await screen.findByTestId("token-urls-edit-1"));
    const dialog = await screen.findByTestId("token-urls-dialog");
    await user.type(within(dialog).getByTestId("token-enrollment-url"), "ftp://west");
    await user.click(within(dialog).getByTestId("token-urls-save"));
    expect(await within(dialog).findByText(/must start with https/)).toBeInTheDocument();
    await user.clear(within(dialog).getByTestId("token-enrollment-url"));
    await user.type(
      within(dialog).getByTestId("token-enrollment-url"),
      "https://west.contoso.com/enroll",
    );
    await user.click(within(dialog).getByTestId("token-urls-save"));

    const row = screen.getByTestId("token-urls-row-1");
    await waitFor(() =>
      expect(within(row).getByTestId("token-effective-enrollment-url")).toHaveAttribute(
        "data-origin",
        "token",
      ),
    );
    expect(within(row).getByTestId("token-urls-override")).toBeInTheDocument();
    expect(fake.state.tokenUrls["1"]).toEqual({
      enrollmentUrl: "https://west.contoso.com/enroll",
      configurationWebUrl: null,
    });

    await user.click(screen.getByTestId("token-urls-edit-1"));
    await user.click(
      within(await screen.findByTestId("token-urls-dialog")).getByTestId("token-urls-clear"),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId("token-urls-row-1")).getByTestId(
          "token-effective-enrollment-url",
        ),
      ).toHaveAttribute("data-origin", "workspace"),
    );
  });
});
