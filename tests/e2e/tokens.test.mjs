// Tokens in the real desktop window, in demo mode: "Try with the simulator",
// the whole Add token wizard with the simulated portal, and a renewal.
// Screenshots of every wizard step land in tests/e2e/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, screenshot, shown, textMatches } from "./app.mjs";

let app;
before(async () => {
  app = await launchApp();
});
after(async () => {
  await app?.stop();
});

/** The <input> behind a testid (on the input itself or on its Fluent wrapper). */
async function field(browser, testId) {
  const el = await shown(browser, testId);
  if ((await el.getTagName()).toLowerCase() === "input") return el;
  return el.$("input");
}

async function next(browser) {
  const button = await shown(browser, "wizard-next");
  await browser.waitUntil(async () => button.isEnabled(), {
    timeout: 20_000,
    timeoutMsg: "Next never became enabled",
  });
  await button.click();
}

test("Try with the simulator creates a demo token through the real flow", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-tokens")).click();
  await (await shown(browser, "try-simulator")).click();
  const row = await browser.$('[data-token-row="Simulator — Contoso Demo"]');
  await row.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the demo token never appeared" });
  assert.match(await row.getText(), /Simulator/);
  await shown(browser, "topbar-simulator");
  await screenshot(browser, "tokens-demo");
});

test("syncing the demo token shows progress and fills in its devices", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-sync")).click();
  await shown(browser, "page-sync");
  const row = await shown(browser, "sync-row-1");
  const devices = await shown(browser, "sync-devices-1");
  assert.doesNotMatch(await devices.getText(), /2[,.\s\u202f]?500/, "no devices before the first sync");
  await (await shown(browser, "sync-now-1")).click();
  await textMatches(browser, devices, /2[,.\s\u202f]?500/, 30_000);
  await textMatches(browser, row, /Synced|Last sync/i, 30_000);
  await screenshot(browser, "sync-page");
  // A second manual sync within 15 minutes is refused by Apple's pacing rules.
  const again = await shown(browser, "sync-now-1");
  await browser.waitUntil(async () => !(await again.isEnabled()) || (await again.getAttribute("aria-disabled")) === "true", {
    timeout: 10_000,
    timeoutMsg: "Sync now stayed enabled during the cooldown",
  });
  await shown(browser, "sync-cooldown-1");
});

test("the Add token wizard runs end to end against the simulated portal", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-tokens")).click();
  await (await shown(browser, "add-token")).click();

  await shown(browser, "wizard-step-1");
  await screenshot(browser, "wizard-1-consent");
  assert.equal(await (await shown(browser, "wizard-next")).isEnabled(), false, "consent comes first");
  // Fluent draws its own box over a transparent <input>: click the input itself.
  const consent = await browser.$('[data-testid="consent-checkbox"]');
  await consent.waitForExist({ timeout: 15_000 });
  await browser.execute((el) => el.click(), consent);
  await next(browser);

  const keyStep = await shown(browser, "wizard-step-2");
  await textMatches(browser, keyStep, /[0-9A-F]{2}(:[0-9A-F]{2}){8}/);
  await screenshot(browser, "wizard-2-public-key");
  await next(browser);

  await shown(browser, "wizard-step-3");
  await (await shown(browser, "open-portal")).waitForDisplayed();
  await (await shown(browser, "simulator-portal")).click();
  await textMatches(browser, await shown(browser, "wizard-step-3"), /smime\.p7m/);
  await screenshot(browser, "wizard-3-portal");
  await next(browser);

  await shown(browser, "wizard-step-4");
  await (await field(browser, "apple-id-input")).setValue("it@contoso.example");
  await screenshot(browser, "wizard-4-apple-id");
  await next(browser);

  await shown(browser, "wizard-step-5");
  const preview = await shown(browser, "token-preview", 30_000);
  await textMatches(browser, preview, /Contoso Retail/);
  assert.match(await preview.getText(), /Simulator/);
  await screenshot(browser, "wizard-5-upload");
  await next(browser);

  await shown(browser, "wizard-step-6");
  const tag = await field(browser, "scope-tag-input");
  await tag.setValue("Berlin");
  await browser.keys("Enter");
  await screenshot(browser, "wizard-6-scope-tags");
  await next(browser);

  const review = await shown(browser, "wizard-step-7");
  await textMatches(browser, review, /it@contoso\.example/);
  await screenshot(browser, "wizard-7-review");
  await (await shown(browser, "wizard-create")).click();

  const detail = await shown(browser, "token-detail", 30_000);
  await textMatches(browser, detail, /Simulator — Contoso Retail/);
  assert.match(await detail.getText(), /Berlin/);
  await screenshot(browser, "token-detail");
});

test("a simulator token renews with a new file from the simulated portal", async () => {
  const { browser } = app;
  await shown(browser, "token-detail");
  await (await shown(browser, "renew-token")).click();
  await (await field(browser, "renew-apple-id")).setValue("IT@Contoso.example");
  await (await shown(browser, "renew-simulator-file")).click();
  const submit = await shown(browser, "renew-submit");
  await browser.waitUntil(async () => submit.isEnabled(), { timeout: 20_000 });
  await screenshot(browser, "renew-dialog");
  await submit.click();
  const done = await shown(browser, "renew-done", 30_000);
  await textMatches(browser, done, /renewed/i);
  await screenshot(browser, "renew-done");
  await (await shown(browser, "renew-close")).click();
});

test("the audit log lists what happened", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-audit")).click();
  const table = await shown(browser, "audit-table");
  await textMatches(browser, table, /token\.renew/);
  for (const action of ["key.generate", "token.add"]) {
    assert.match(await table.getText(), new RegExp(action.replace(".", "\\.")));
  }
  // No date filter is set, and none looks set (WebKitGTK shows today's date
  // in an empty date input, so Linux gets a text field).
  for (const id of ["audit-filter-from", "audit-filter-to"]) {
    const field = await shown(browser, id);
    assert.equal(await field.getValue(), "");
    assert.equal(await field.getAttribute("placeholder"), "YYYY-MM-DD");
  }
  await screenshot(browser, "audit-log");
});
