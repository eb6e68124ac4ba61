// Devices in the real desktop window, in demo mode: sync the demo token,
// filter the list, select devices, assign a profile through the preview, and
// see the per-serial results and the device drawer with its sync events.
// Screenshots in tests/e2e/screenshots/ (devices-*.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  launchApp,
  present,
  press,
  screenshot,
  shown,
  startDemo,
  textMatches,
} from "./app.mjs";

let app;
before(async () => {
  app = await launchApp();
  const { browser } = app;
  await startDemo(browser);
  // Sync the demo token so that its 2,500 devices are in the workspace.
  await (await shown(browser, "nav-sync")).click();
  await (await shown(browser, "sync-now-1")).click();
  await textMatches(
    browser,
    await shown(browser, "sync-devices-1"),
    /2[,.\s\u202f]?500/,
    60_000,
  );
  // A profile to assign: the wizard with its defaults.
  await (await shown(browser, "nav-profiles")).click();
  await (await shown(browser, "profiles-create")).click();
  const token = await (await shown(browser, "field-token")).$("select");
  await token.selectByVisibleText("Simulator — Contoso Demo (simulator)");
  await (
    await (await shown(browser, "field-name")).$("input")
  ).setValue("Staff");
  for (const step of [2, 3, 4]) {
    const next = await shown(browser, "wizard-next");
    await browser.waitUntil(async () => next.isEnabled(), { timeout: 20_000 });
    await next.click();
    await shown(browser, `wizard-step-${step}`);
  }
  await (await shown(browser, "wizard-create")).click();
  await textMatches(
    browser,
    await shown(browser, "detail-upload-badge", 30_000),
    /Uploaded/i,
    30_000,
  );
});
after(async () => {
  await app?.stop();
});

test("filter, select, assign with a preview, and see the results", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-devices")).click();
  const total = await shown(browser, "devices-total", 30_000);
  await browser.waitUntil(
    async () => (await total.getAttribute("data-count")) === "2500",
    {
      timeout: 30_000,
      timeoutMsg: "the list never counted 2,500 devices",
    },
  );
  await shown(browser, "devices-table");
  await screenshot(browser, "devices-1-list");

  // Only iPads, through the family facet menu.
  await (await shown(browser, "devices-filter-family")).click();
  await (await shown(browser, "devices-filter-family-iPad")).click();
  await shown(browser, "devices-chip-family-iPad");
  // data-count is empty while the list is still counting: wait for a figure.
  await browser.waitUntil(
    async () => {
      const count = await total.getAttribute("data-count");
      return count !== "" && count !== null && Number(count) < 2500;
    },
    {
      timeout: 15_000,
      timeoutMsg: "the family filter did not narrow the list",
    },
  );
  const filtered = Number(await total.getAttribute("data-count"));
  assert.ok(filtered > 3, `only ${filtered} iPads`);

  // Select the first three rows.
  const rows = await browser.$$(".device-row");
  assert.ok(rows.length >= 3, "rows are rendered");
  const serials = [];
  for (const row of rows.slice(0, 3)) {
    serials.push(
      (await row.getAttribute("data-testid")).replace("device-row-", ""),
    );
    await press(browser, await row.$('input[type="checkbox"]'));
  }
  const selection = await shown(browser, "devices-selection");
  await browser.waitUntil(
    async () => (await selection.getAttribute("data-count")) === "3",
    {
      timeout: 10_000,
      timeoutMsg: "three rows were not selected",
    },
  );
  await screenshot(browser, "devices-2-selected");

  await (await shown(browser, "devices-assign")).click();
  await shown(browser, "assign-dialog");
  const picker = await present(browser, "assign-profile");
  const select =
    (await picker.getTagName()).toLowerCase() === "select"
      ? picker
      : await picker.$("select");
  await select.selectByVisibleText("Staff");
  await (await shown(browser, "assign-preview")).click();
  await shown(browser, "assignment-preview", 20_000);
  for (const serial of serials) {
    const row = await present(browser, `preview-row-${serial}`);
    assert.equal(
      await row.getAttribute("data-will-send"),
      "true",
      `${serial} would not be sent`,
    );
  }
  await screenshot(browser, "devices-3-preview");
  await (await shown(browser, "assign-confirm")).click();
  const run = await shown(browser, "assignment-run", 20_000);
  await browser.waitUntil(
    async () => (await run.getAttribute("data-result")) === "ok",
    {
      timeout: 30_000,
      timeoutMsg: "the assignment run did not finish ok",
    },
  );
  await shown(browser, "assignment-results", 20_000);
  for (const serial of serials) {
    const result = await present(browser, `assignment-result-${serial}`);
    assert.equal(await result.getAttribute("data-outcome"), "SUCCESS");
  }
  await screenshot(browser, "devices-4-results");
  await (await shown(browser, "assign-close")).click();

  // The drawer of an assigned device names its Depot profile.
  await (await shown(browser, "devices-chip-family-iPad")).click();
  await (await shown(browser, "devices-search")).setValue(serials[0]);
  await (await shown(browser, `device-row-${serials[0]}`, 20_000)).click();
  await shown(browser, "device-drawer");
  await textMatches(
    browser,
    await shown(browser, "device-depot-profile"),
    /Staff/,
    20_000,
  );
  // Its sync events: the demo sync listed it for the demo server.
  const event = await shown(browser, "device-event");
  assert.equal(await event.getAttribute("data-kind"), "added");
  await screenshot(browser, "devices-5-drawer");
});

test("the window hears of work done in the background", async () => {
  const { browser } = app;
  // Listen the way @tauri-apps/api's listen() does, to see what the shell emits.
  const listening = await browser.executeAsync((done) => {
    window.__changes = [];
    const internals = window.__TAURI_INTERNALS__;
    const handler = internals.transformCallback((event) =>
      window.__changes.push(event.payload),
    );
    internals
      .invoke("plugin:event|listen", {
        event: "depot:changed",
        target: { kind: "Any" },
        handler,
      })
      .then(
        () => done({ ok: true }),
        (error) => done({ error: JSON.stringify(error) }),
      );
  });
  assert.equal(listening.error, undefined, listening.error);
  const serial = (
    await (await browser.$(".device-row")).getAttribute("data-testid")
  ).replace("device-row-", "");
  // An assignment run started behind the page's back (a removal of one device's profile).
  const started = await browser.executeAsync((serial, done) => {
    window.__TAURI_INTERNALS__
      .invoke("rpc", {
        name: "assignments.start",
        payload: { tokenId: "1", serials: [serial] },
      })
      .then(
        (result) => done({ result }),
        (error) => done({ error: JSON.stringify(error) }),
      );
  }, serial);
  assert.equal(started.error, undefined, started.error);
  const runId = started.result.run.id;
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => window.__changes)).some(
        (c) => c.kind === "assignmentFinished",
      ),
    {
      timeout: 15_000,
      timeoutMsg: "the end of the run never reached the window",
    },
  );
  const changes = await browser.execute(() => window.__changes);
  assert.deepEqual(changes.at(-1), {
    kind: "assignmentFinished",
    tokenId: "1",
    runId,
  });
  assert.ok(
    changes.some((c) => c.kind === "assignmentProgress" && c.runId === runId),
    JSON.stringify(changes),
  );
});
