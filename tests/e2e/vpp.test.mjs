// Apps and Books (VPP) tokens in the real desktop window, in demo mode
// (issue 15): the demo's token on its page, the profile wizard's picker,
// and the assignment preview's warning when a run would need more Company
// Portal licences than the token has (the demo has 500 for 2,500 devices).
// Screenshots land in tests/e2e/screenshots/ (vpp-*.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, present, press, screenshot, shown, startDemo, textMatches } from "./app.mjs";

let app;
before(async () => {
  app = await launchApp();
  await startDemo(app.browser);
});
after(async () => {
  await app?.stop();
});

async function inField(browser, path, selector) {
  const field = await shown(browser, `field-${path}`);
  const el = await field.$(selector);
  await el.waitForExist({ timeout: 15_000, timeoutMsg: `no ${selector} in field-${path}` });
  return el;
}

async function next(browser) {
  const button = await shown(browser, "wizard-next");
  await browser.waitUntil(async () => button.isEnabled(), {
    timeout: 20_000,
    timeoutMsg: "Next never became enabled",
  });
  await button.click();
}

test("the demo's Apps and Books token, picked in a profile, and too few licences in the preview", async () => {
  const { browser } = app;

  // The token page: the demo location with its Company Portal licences.
  await (await shown(browser, "nav-vpp")).click();
  const row = await shown(browser, "vpp-row-1", 30_000);
  await textMatches(browser, row, /Contoso Apps/);
  await textMatches(browser, row, /500/);
  await textMatches(browser, await shown(browser, "vpp-state-1"), /ok|valid|active/i);
  await screenshot(browser, "vpp-1-tokens");

  // A Company Portal profile picks the token from the list.
  await (await shown(browser, "nav-profiles")).click();
  await (await shown(browser, "profiles-create")).click();
  await shown(browser, "wizard-step-1");
  const token = await inField(browser, "token", "select");
  await token.selectByVisibleText("Simulator — Contoso Demo (simulator)");
  await (await inField(browser, "name", "input")).setValue("Portal iPhones");
  await next(browser);
  await shown(browser, "wizard-step-2");
  await press(browser, await present(browser, "userAffinity-withUserAffinity"));
  await press(browser, await present(browser, "authentication-companyPortal"));
  await (await shown(browser, "vpp-picker")).click();
  await (await shown(browser, "vpp-option-1")).click();
  await textMatches(browser, await shown(browser, "vpp-picker"), /Contoso Apps/);
  await screenshot(browser, "vpp-2-picker");
  await next(browser);
  await shown(browser, "wizard-step-3");
  await next(browser);
  await shown(browser, "wizard-step-4");
  await textMatches(browser, await shown(browser, "review-summary"), /Contoso Apps/);
  await (await shown(browser, "wizard-create")).click();
  await shown(browser, "profile-detail", 30_000);
  await textMatches(browser, await shown(browser, "detail-upload-badge"), /Uploaded/i, 30_000);

  // Every device of the demo token: far more iPhones and iPads than the 500
  // licences. The preview says so before anything is sent.
  await (await shown(browser, "nav-devices")).click();
  const total = await shown(browser, "devices-total", 60_000);
  await browser.waitUntil(async () => (await total.getAttribute("data-count")) === "2500", {
    timeout: 60_000,
    timeoutMsg: "the demo's 2,500 devices never arrived",
  });
  await shown(browser, "devices-table", 30_000);
  await (await shown(browser, "devices-filter-token")).click();
  await (await shown(browser, "devices-filter-token-1")).click();
  await (await shown(browser, "devices-select-all-matching", 20_000)).click();
  await (await shown(browser, "devices-assign")).click();
  await shown(browser, "assign-dialog");
  const picker = await present(browser, "assign-profile");
  const select =
    (await picker.getTagName()).toLowerCase() === "select" ? picker : await picker.$("select");
  await select.selectByVisibleText("Portal iPhones");
  await (await shown(browser, "assign-preview")).click();
  await shown(browser, "assignment-preview", 60_000);
  const warning = await shown(browser, "preview-warning", 30_000);
  await textMatches(browser, warning, /only 500 Company Portal licences/);
  const dialog = await present(browser, "assign-dialog");
  assert.equal(await dialog.getAttribute("data-step"), "check");
  await screenshot(browser, "vpp-3-too-few-licences");
  assert.equal(await dialog.getAttribute("data-step"), "check", "the preview stays open");
  assert.ok(!(await dialog.getText()).includes("Assignment finished"), "nothing was sent");
});
