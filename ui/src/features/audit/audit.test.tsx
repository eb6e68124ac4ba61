import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AuditEntry } from "../../bindings/AuditEntry";
import type { AuditListRequest } from "../../bindings/AuditListRequest";
import { formatDateTimeSeconds } from "../../components/format";
import { FAKE_NOW } from "../../test/clock";
import { fakeDepot } from "../../test/fakeDepot";
import { desktopFiles } from "../../test/fakeHost";
import { renderApp } from "../../test/renderApp";

/** `n` entries, newest first, one hour apart, cycling through three actions and two operators. */
function entries(n: number): AuditEntry[] {
  const actions = ["token.add", "token.renew", "profile.create"];
  return Array.from({ length: n }, (_, i) => ({
    id: String(10_000 - i),
    at: new Date(Date.parse("2026-06-01T12:00:00Z") - i * 3_600_000).toISOString(),
    operator: i % 2 === 0 ? "admin" : "jane.doe",
    action: actions[i % 3] ?? "token.add",
    object: i % 4 === 0 ? "Sales-East" : "HQ Shared iPads",
    before: i === 0 ? JSON.stringify({ scopeTags: ["retail"] }) : null,
    after: JSON.stringify({ scopeTags: ["retail", "east"] }),
  }));
}

const listCalls = (calls: { name: string; payload: unknown }[]) =>
  calls.filter((c) => c.name === "audit.list").map((c) => c.payload as AuditListRequest);

describe("audit log", () => {
  it("says nothing has been recorded in a new workspace", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/audit" });
    expect(await screen.findByTestId("audit-empty")).toBeInTheDocument();
    expect(screen.queryByTestId("audit-export")).not.toBeInTheDocument();
  });

  it("lists entries newest first and shows before/after on demand", async () => {
    const { user } = renderApp({
      handlers: fakeDepot({ audit: entries(3) }).handlers,
      at: "#/audit",
    });
    const table = await screen.findByTestId("audit-table");
    const rows = within(table).getAllByTestId("audit-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent("token.add");
    expect(rows[0]).toHaveTextContent("Sales-East");
    expect(rows[0]).toHaveTextContent("admin");
    expect(rows[0]).toHaveTextContent(formatDateTimeSeconds("2026-06-01T12:00:00Z"));
    expect(screen.queryByTestId("audit-changes")).not.toBeInTheDocument();
    await user.click(within(rows[0] as HTMLElement).getByTestId("audit-toggle"));
    const changes = await screen.findByTestId("audit-changes");
    expect(changes).toHaveTextContent(/Before\s*\{\s*"scopeTags": \[\s*"retail"\s*\]\s*\}/);
    expect(changes).toHaveTextContent(/"east"/);
  });

  it("filters by action, object, operator and dates", async () => {
    const { user, backend } = renderApp({
      handlers: fakeDepot({ audit: entries(12) }).handlers,
      at: "#/audit",
    });
    await screen.findByTestId("audit-table");
    const select = screen.getByTestId("audit-filter-action");
    expect(
      within(select)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["All actions", "profile.create", "token.add", "token.renew"]);

    await user.selectOptions(select, "token.renew");
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(4));
    for (const row of screen.getAllByTestId("audit-row"))
      expect(row).toHaveTextContent("token.renew");
    expect(listCalls(backend.calls).at(-1)?.filter).toEqual({ action: "token.renew" });

    await user.type(screen.getByTestId("audit-filter-operator"), "jane");
    await waitFor(() =>
      expect(listCalls(backend.calls).at(-1)?.filter).toEqual({
        action: "token.renew",
        operator: "jane",
      }),
    );
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(2));

    await user.click(screen.getByTestId("audit-clear-filters"));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(12));

    await user.type(screen.getByTestId("audit-filter-object"), "sales");
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));

    await user.clear(screen.getByTestId("audit-filter-object"));
    await user.type(screen.getByTestId("audit-filter-from"), "2026-06-01");
    await waitFor(() =>
      expect(listCalls(backend.calls).at(-1)?.filter).toEqual({ from: "2026-06-01" }),
    );
    await user.type(screen.getByTestId("audit-filter-to"), "2026-05-31");
    await waitFor(() => expect(screen.getByTestId("audit-no-match")).toBeInTheDocument());
  });

  it("takes dates as text where the date input would show today in an empty field", async () => {
    const { user, backend } = renderApp({
      handlers: fakeDepot({ audit: entries(12) }).handlers,
      at: "#/audit",
      host: { dateInput: "text" },
    });
    await screen.findByTestId("audit-table");
    const from = screen.getByTestId("audit-filter-from");
    expect(from).toHaveAttribute("type", "text");
    expect(from).toHaveAttribute("placeholder", "YYYY-MM-DD");
    expect(from).toHaveValue("");

    // Half a date is not a filter yet: it says what it needs and asks nothing.
    await user.type(from, "2026-06");
    expect(await screen.findByText("A date as YYYY-MM-DD")).toBeInTheDocument();
    expect(screen.getByTestId("audit-clear-filters")).toBeInTheDocument();
    // A typed filter asks once the debounce is over; by then the half date still asked nothing.
    await user.type(screen.getByTestId("audit-filter-object"), "Sales-East");
    await waitFor(() =>
      expect(listCalls(backend.calls).at(-1)?.filter).toEqual({ object: "Sales-East" }),
    );
    expect(listCalls(backend.calls).some((call) => call.filter?.from !== undefined)).toBe(false);

    await user.type(from, "-01");
    await waitFor(() =>
      expect(listCalls(backend.calls).at(-1)?.filter).toEqual({
        object: "Sales-East",
        from: "2026-06-01",
      }),
    );
    expect(screen.queryByText("A date as YYYY-MM-DD")).not.toBeInTheDocument();
  });

  it("pages with Load more", async () => {
    const { user, backend } = renderApp({
      handlers: fakeDepot({ audit: entries(150) }).handlers,
      at: "#/audit",
    });
    await screen.findByTestId("audit-table");
    expect(screen.getAllByTestId("audit-row")).toHaveLength(100);
    expect(listCalls(backend.calls)[0]).toEqual({ filter: {}, limit: 100 });
    await user.click(screen.getByTestId("audit-load-more"));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(150));
    expect(listCalls(backend.calls).at(-1)).toEqual({ filter: {}, before: "9901", limit: 100 });
    expect(screen.queryByTestId("audit-load-more")).not.toBeInTheDocument();
    expect(screen.getByTestId("audit-shown")).toHaveTextContent("150 entries shown");
  });

  it("exports the filtered log as a CSV download in a browser", async () => {
    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: vi.fn((blob: Blob) => {
        blobs.push(blob);
        return "blob:depot/1";
      }),
      revokeObjectURL: vi.fn(),
    });
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      names.push(this.download);
    });
    const { user, backend } = renderApp({
      handlers: fakeDepot({ audit: entries(12) }).handlers,
      at: "#/audit",
    });
    await screen.findByTestId("audit-table");
    await user.selectOptions(screen.getByTestId("audit-filter-action"), "token.add");
    await user.click(screen.getByTestId("audit-export"));
    expect(await screen.findByTestId("audit-exported")).toHaveTextContent("Exported 4 entries");
    expect(backend.calls.find((c) => c.name === "audit.export")?.payload).toEqual({
      filter: { action: "token.add" },
    });
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^depot-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(blobs[0]?.type).toBe("text/csv");
    const csv = (await blobs[0]?.text()) ?? "";
    expect(csv.split("\n")).toHaveLength(5);
    expect(csv).toContain("token.add");
    expect(csv).not.toContain("token.renew");
  });

  it("exports through the native save dialog on the desktop", async () => {
    const desktop = desktopFiles();
    const { user, backend } = renderApp({
      handlers: fakeDepot({ audit: entries(2) }).handlers,
      at: "#/audit",
      host: desktop.host,
    });
    await user.click(await screen.findByTestId("audit-export"));
    const fileName = `depot-audit-${new Date(FAKE_NOW).toISOString().slice(0, 10)}.csv`;
    expect(await screen.findByTestId("audit-exported")).toHaveTextContent(
      `Exported 2 entries to /home/admin/${fileName}`,
    );
    // The shell gets the contents to write; the backend is never told where.
    expect(desktop.saved).toEqual([
      expect.objectContaining({ fileName, filterName: "CSV file", extensions: ["csv"] }),
    ]);
    expect(desktop.saved[0]?.contents).toContain("token.add");
    expect(backend.calls.find((c) => c.name === "audit.export")?.payload).toEqual({ filter: {} });
  });
});
