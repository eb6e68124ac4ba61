import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeProfiles, type SeedProfile } from "../../test/fakeProfiles";
import type { FakeVppOptions } from "../../test/fakeVpp";
import { renderApp } from "../../test/renderApp";

/** The wizard on one token, at the management step with Company Portal sign-in chosen. */
async function atCompanyPortal(vpp?: FakeVppOptions) {
  const depot = fakeDepot({
    tokens: [tokenDetail({ id: "1", serverName: "Retail West" })],
    ...(vpp ? { vpp } : {}),
  });
  const fake = fakeProfiles(depot, { enrollmentUrl: "https://mdm.contoso.com/enroll" });
  const view = renderApp({
    handlers: { ...depot.handlers, ...fake.handlers },
    at: "#/profiles/new",
  });
  const { user } = view;
  await screen.findByTestId("wizard-step-1");
  await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
  await user.click(screen.getByTestId("wizard-next"));
  await screen.findByTestId("wizard-step-2");
  await user.click(screen.getByTestId("userAffinity-withUserAffinity"));
  await user.click(screen.getByTestId("authentication-companyPortal"));
  return view;
}

const field = (path: string) => screen.getByTestId(`field-${path}`);

function lastDraft(calls: { name: string; payload: unknown }[]): ProfileDraft | undefined {
  const payload = calls.filter((c) => c.name === "profiles.check").at(-1)?.payload as
    { draft: ProfileDraft } | undefined;
  return payload?.draft;
}

describe("Apps and Books token picker", () => {
  it("offers Depot's tokens with location, expiry and free licences, and stores the name", async () => {
    const { user, backend } = await atCompanyPortal();
    const picker = await within(field("companyPortalVppToken")).findByRole("combobox");
    await user.click(picker);

    const contoso = await screen.findByTestId("vpp-option-v1");
    expect(contoso).toHaveTextContent("Contoso Apps and Books");
    expect(contoso).toHaveTextContent("Contoso HQ");
    expect(contoso).toHaveTextContent("expires Mar 1, 2027 (273 days left)");
    expect(contoso).toHaveTextContent("95 of 100 Company Portal licences free");
    const fabrikam = screen.getByTestId("vpp-option-v2");
    expect(fabrikam).toHaveTextContent("Fabrikam Old Location");
    expect(fabrikam).toHaveTextContent("Expired");
    expect(fabrikam).toHaveTextContent("0 of 20 Company Portal licences free");

    await user.click(screen.getByRole("option", { name: /Contoso Apps and Books/ }));
    await waitFor(() =>
      expect(lastDraft(backend.calls)?.companyPortalVppToken).toBe("Contoso Apps and Books"),
    );
    expect(picker).toHaveTextContent("Contoso Apps and Books");
    expect(screen.queryByTestId("vpp-picker-dead")).not.toBeInTheDocument();

    // An expired token can be chosen, with a warning about the App Store fallback.
    await user.click(picker);
    await user.click(await screen.findByRole("option", { name: /Fabrikam Old Location/ }));
    const dead = await screen.findByTestId("vpp-picker-dead");
    expect(dead).toHaveTextContent("This token is expired");
    expect(dead).toHaveTextContent(/App Store/);
    expect(dead).toHaveTextContent(/Apple Account/);
    await waitFor(() =>
      expect(lastDraft(backend.calls)?.companyPortalVppToken).toBe("Fabrikam Old Location"),
    );

    // None clears it.
    await user.click(picker);
    await user.click(await screen.findByRole("option", { name: /None/ }));
    // (This draft was checked before, so the answer comes from the cache: no new call.)
    expect(picker).toHaveTextContent("None");
    expect(screen.queryByTestId("vpp-picker-dead")).not.toBeInTheDocument();
  });

  it("says when Depot has no tokens, with a link to the Apps and Books tokens page", async () => {
    await atCompanyPortal({ tokens: [] });
    const none = await screen.findByTestId("vpp-picker-none");
    expect(none).toHaveTextContent("Depot has no Apps and Books tokens yet");
    expect(screen.getByTestId("vpp-picker-add-link")).toHaveAttribute("href", "#/vpp");
    expect(within(field("companyPortalVppToken")).queryByRole("combobox")).not.toBeInTheDocument();
  });

  it("keeps a saved name Depot has no token for, and says so", async () => {
    const seed: SeedProfile = {
      id: "7",
      tokenId: "1",
      name: "Sales iPads",
      draft: {
        userAffinity: "withUserAffinity",
        authentication: "companyPortal",
        installCompanyPortal: true,
        companyPortalVppToken: "Old Free Text Token",
      },
    };
    const depot = fakeDepot({ tokens: [tokenDetail({ id: "1", serverName: "Retail West" })] });
    const fake = fakeProfiles(depot, {
      enrollmentUrl: "https://mdm.contoso.com/enroll",
      profiles: [seed],
    });
    const { user } = renderApp({
      handlers: { ...depot.handlers, ...fake.handlers },
      at: "#/profiles/7/edit",
    });
    await screen.findByTestId("wizard-step-1");
    await user.click(screen.getByTestId("wizard-nav-2"));
    const picker = await within(field("companyPortalVppToken")).findByRole("combobox");
    expect(picker).toHaveTextContent("Old Free Text Token");
    expect(await screen.findByTestId("vpp-picker-unknown")).toHaveTextContent(
      "Depot has no Apps and Books token named “Old Free Text Token”",
    );
    await user.click(picker);
    await user.click(await screen.findByRole("option", { name: /Contoso Apps and Books/ }));
    await waitFor(() => expect(screen.queryByTestId("vpp-picker-unknown")).not.toBeInTheDocument());
  });
});
