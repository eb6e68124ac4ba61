// Enrollment profiles in the real desktop window, in demo mode: a Shared iPad
// profile and a user-affinity Company Portal profile through the four-step
// wizard, uploaded to the in-process simulator. Screenshots of every step land
// in tests/e2e/screenshots/ (profile-*.png).
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

/** The first element matching `selector` inside the field for a draft path. */
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

async function startWizard(browser, name) {
  await (await shown(browser, "nav-profiles")).click();
  await (await shown(browser, "profiles-create")).click();
  await shown(browser, "wizard-step-1");
  const select = await inField(browser, "token", "select");
  await select.selectByVisibleText("Simulator — Contoso Demo (simulator)");
  await (await inField(browser, "name", "input")).setValue(name);
}

async function reviewAndCreate(browser, prefix, pattern) {
  await shown(browser, "wizard-step-4");
  const summary = await shown(browser, "review-summary");
  await textMatches(browser, summary, pattern);
  await (await shown(browser, "apple-json-toggle")).click();
  const json = await shown(browser, "apple-json");
  await textMatches(browser, json, /"url": "https:\/\/mdm\.contoso-demo\.example\/enroll"/);
  await screenshot(browser, `${prefix}-4-review`);
  await (await shown(browser, "wizard-create")).click();
  const detail = await shown(browser, "profile-detail", 30_000);
  await textMatches(browser, await shown(browser, "detail-upload-badge"), /Uploaded/i, 30_000);
  await textMatches(browser, await shown(browser, "apple-uuid"), /[0-9A-F]{32}/);
  await screenshot(browser, `${prefix}-5-detail`);
  return detail;
}

test("a Shared iPad profile: validation at the field, then created and uploaded", async () => {
  const { browser } = app;
  await startWizard(browser, "Store iPads");
  await screenshot(browser, "profile-shared-1-basics");
  await next(browser);

  await shown(browser, "wizard-step-2");
  await press(browser, await inField(browser, "sharedIPad", "input"));
  // Shared iPad needs the number of cached users: Next stays on the step and says so.
  await (await shown(browser, "wizard-next")).click();
  const users = await shown(browser, "field-maximumCachedUsers");
  await browser.waitUntil(async () => (await users.getAttribute("data-invalid")) === "true", {
    timeout: 15_000,
    timeoutMsg: "no problem shown at maximumCachedUsers",
  });
  await screenshot(browser, "profile-shared-2-problem");
  await (await inField(browser, "maximumCachedUsers", "input")).setValue("10");
  await press(browser, await inField(browser, "applyDeviceNameTemplate", "input"));
  await (await inField(browser, "deviceNameTemplate", "input")).setValue("{{DEVICETYPE}}-{{SERIAL}}");
  await textMatches(browser, await shown(browser, "device-name-preview"), /iPad-[A-Z0-9]+/);
  await screenshot(browser, "profile-shared-2-management");
  await next(browser);

  await shown(browser, "wizard-step-3");
  const search = await shown(browser, "skip-key-search");
  const searchInput = (await search.getTagName()).toLowerCase() === "input" ? search : await search.$("input");
  await searchInput.setValue("Siri");
  await press(browser, await present(browser, "skip-key-Siri-hide"));
  await screenshot(browser, "profile-shared-3-setup-assistant");
  await next(browser);

  await reviewAndCreate(browser, "profile-shared", /Shared iPad/i);
  await (await shown(browser, "nav-profiles")).click();
  const row = await shown(browser, "profile-row-Store iPads");
  await textMatches(browser, row, /Uploaded/i);
});

test("a user-affinity profile with Company Portal sign-in", async () => {
  const { browser } = app;
  await startWizard(browser, "Staff iPhones");
  await next(browser);

  await shown(browser, "wizard-step-2");
  await press(browser, await present(browser, "userAffinity-withUserAffinity"));
  await press(browser, await present(browser, "authentication-companyPortal"));
  await shown(browser, "mfa-note");
  await shown(browser, "company-portal-24h");
  // Shared iPad is offered only without user affinity.
  await shown(browser, "shared-ipad-unavailable");
  await screenshot(browser, "profile-affinity-2-management");
  await next(browser);

  await shown(browser, "wizard-step-3");
  await screenshot(browser, "profile-affinity-3-setup-assistant");
  await next(browser);

  await reviewAndCreate(browser, "profile-affinity", /Company Portal/i);
  await textMatches(browser, await shown(browser, "licensing-note"), /user license/i);
  await textMatches(browser, await shown(browser, "group-rule"), /enrollmentProfileName -eq "Staff iPhones"/);

  // The list shows both, and Settings shows where the enrollment URL comes from.
  await (await shown(browser, "nav-profiles")).click();
  await shown(browser, "profile-row-Staff iPhones");
  await screenshot(browser, "profile-list");
  await (await shown(browser, "nav-settings")).click();
  await shown(browser, "settings-enrollment-url");
  await screenshot(browser, "settings-enrollment");
});
