// The dashboard and alerts in the real desktop window, in demo mode (issue
// 16): "Needs attention" and the charts on the demo workspace, then a
// critical alert (Apple's terms not accepted, switched on in the demo
// simulator) shown as the app-wide banner on every page, and gone again when
// the token checks out. Screenshots land in tests/e2e/screenshots/
// (dashboard-*.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, press, screenshot, shown, startDemo, textMatches } from "./app.mjs";

// The demo simulator's control token for this run (DEPOT_DEMO_CONTROL_TOKEN).
const CONTROL = `e2e-${process.pid}-control-token`;

let app;
before(async () => {
  process.env.DEPOT_DEMO_CONTROL_TOKEN = CONTROL;
  app = await launchApp();
  await startDemo(app.browser);
});
after(async () => {
  await app?.stop();
});

async function faults(simUrl, body) {
  const res = await fetch(`${simUrl}/control/faults`, {
    method: "PUT",
    headers: { authorization: `Bearer ${CONTROL}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

test("the dashboard on the demo workspace, and a critical alert's banner", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-dashboard")).click();
  // The demo's 2,500 devices arrive with its first sync.
  const devices = await shown(browser, "count-devices", 30_000);
  await textMatches(browser, devices, /2[.,\s\u202f]?500/, 90_000);
  const attention = await shown(browser, "needs-attention", 30_000);
  // No default profile for the demo's iPhones and iPads (nor its Macs).
  await textMatches(browser, attention, /no default/i, 60_000);
  await shown(browser, "dashboard-charts", 30_000);
  await shown(browser, "dashboard-sync");
  await textMatches(browser, await shown(browser, "count-without-default"), /[1-9]/);
  await screenshot(browser, "dashboard-1-demo");
  // The charts below the list: devices per token by profile status, family,
  // model, 30 days of results, sync health, expiries.
  const charts = await shown(browser, "dashboard-charts");
  await browser.execute((el) => el.scrollIntoView({ block: "start" }), charts);
  await screenshot(browser, "dashboard-1-charts");
  await browser.execute((el) => el.scrollIntoView({ block: "end" }), await shown(browser, "dashboard-sync"));
  await screenshot(browser, "dashboard-1-health");
  await browser.execute(() => window.scrollTo(0, 0));

  // Apple's terms not accepted: critical, on every page.
  const simUrl = await (await shown(browser, "topbar-simulator")).getAttribute("title");
  assert.match(simUrl, /^http:\/\/127\.0\.0\.1:\d+/);
  await faults(simUrl, { t_c_not_signed: true });
  await (await shown(browser, "nav-tokens")).click();
  const row = await browser.$('[data-token-row="Simulator — Contoso Demo"]');
  await row.waitForDisplayed({ timeout: 15_000 });
  await press(browser, row);
  await press(browser, await shown(browser, "check-token"));
  const banner = await shown(browser, "critical-banner", 30_000);
  await textMatches(browser, banner, /terms/i);
  await (await shown(browser, "nav-dashboard")).click();
  await shown(browser, "critical-banner");
  await textMatches(browser, await shown(browser, "needs-attention"), /terms/i);
  await screenshot(browser, "dashboard-2-critical-banner");

  // Accepted again: the next check clears it.
  await faults(simUrl, {});
  await press(browser, await shown(browser, "critical-banner-fix"));
  await press(browser, await shown(browser, "check-token"));
  await browser.waitUntil(async () => !(await (await browser.$('[data-testid="critical-banner"]')).isExisting()), {
    timeout: 30_000,
    timeoutMsg: "the banner stayed after the terms were accepted",
  });
});
