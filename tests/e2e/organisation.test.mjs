// Apple Business Manager API in the real desktop window, in demo mode
// (issue 17): the demo's API account shows every device the organisation
// owns; three devices no server holds are assigned to the demo server, the
// activity is followed to completion, and after the sync Depot runs they are
// in the token's device list. Screenshots land in tests/e2e/screenshots/
// (organisation-*.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, present, press, screenshot, shown, startDemo, textMatches } from "./app.mjs";

let app;
before(async () => {
  app = await launchApp();
  const { browser } = app;
  await startDemo(browser);
  // The demo token's first sync, done before the test: the sync Depot runs
  // when the activity completes then never meets the scheduler's first one.
  await (await shown(browser, "nav-sync")).click();
  await (await shown(browser, "sync-now-1")).click();
  await textMatches(browser, await shown(browser, "sync-devices-1"), /2[,.\s\u202f]?500/, 90_000);
});
after(async () => {
  await app?.stop();
});

test("three unassigned devices assigned to the demo server arrive after the sync", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-organisation")).click();
  await shown(browser, "org-devices-table", 60_000);
  await screenshot(browser, "organisation-1-devices");

  // Devices no server holds yet.
  await (await shown(browser, "org-filter-status")).selectByAttribute("value", "unassigned");
  await browser.waitUntil(
    async () => {
      const rows = await browser.$$('[data-testid^="org-row-"]');
      if (rows.length === 0) return false;
      const text = await rows[0].getText();
      return /UNASSIGNED|Unassigned/.test(text);
    },
    { timeout: 20_000, timeoutMsg: "no unassigned devices listed" },
  );
  const rows = await browser.$$('[data-testid^="org-row-"]');
  const serials = [];
  for (const row of rows) {
    const text = await row.getText();
    if (/released/i.test(text)) continue;
    serials.push((await row.getAttribute("data-testid")).replace("org-row-", ""));
    if (serials.length === 3) break;
  }
  assert.equal(serials.length, 3, "three devices to assign");
  for (const serial of serials) {
    await press(browser, await present(browser, `org-select-${serial}`));
  }
  await textMatches(browser, await shown(browser, "org-selected-count"), /3/);
  await (await shown(browser, "org-server-picker")).selectByIndex(1);
  await (await shown(browser, "org-assign")).click();
  const preview = await shown(browser, "org-preview", 20_000);
  await textMatches(browser, preview, /3/);
  await screenshot(browser, "organisation-2-preview");

  await (await shown(browser, "org-confirm")).click();
  const status = await browser.$('[data-testid^="org-activity-status-"]');
  await status.waitForExist({ timeout: 20_000 });
  await browser.waitUntil(async () => (await status.getAttribute("data-finished")) === "true", {
    timeout: 120_000,
    timeoutMsg: "the activity never finished",
  });
  assert.equal(await status.getAttribute("data-status"), "COMPLETED");
  const token = await browser.$('[data-testid^="org-activity-token-"]');
  await textMatches(browser, token, /synced/i, 60_000);
  await screenshot(browser, "organisation-3-done");
  await (await shown(browser, "org-activity-close")).click();

  // Depot's own device list has them now (the token was synced).
  await (await shown(browser, "nav-devices")).click();
  for (const serial of serials) {
    // A fresh page each time: the search box starts empty.
    await (await shown(browser, "nav-dashboard")).click();
    await (await shown(browser, "nav-devices")).click();
    await (await shown(browser, "devices-search", 30_000)).setValue(serial);
    await shown(browser, `device-row-${serial}`, 30_000);
  }
  await screenshot(browser, "organisation-4-arrived");

  // Its drawer follows it back to the organisation: status, server, AppleCare.
  await (await shown(browser, `device-row-${serials[2]}`)).click();
  await textMatches(browser, await shown(browser, "device-org-status", 30_000), /ASSIGNED/);
  await shown(browser, "device-applecare");
  await browser.execute(
    (el) => el.scrollIntoView({ block: "start" }),
    await shown(browser, "device-org"),
  );
  await screenshot(browser, "organisation-5-device-drawer");
});
