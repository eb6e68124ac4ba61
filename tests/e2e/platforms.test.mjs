// Profiles per platform (issue 12) in the real desktop window, in demo mode: a
// macOS and a tvOS profile through the wizard, uploaded to the in-process
// simulator. Screenshots of every step land in tests/e2e/screenshots/
// (platform-*.png).
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

/** Scrolls the wizard so that `testId` is in view, for a screenshot of that part. */
async function scrollTo(browser, testId) {
  const el = await shown(browser, testId);
  await browser.execute((node) => node.scrollIntoView({ block: "center" }), el);
  return el;
}

/** Basics: the platform first, then the token and the name. */
async function basics(browser, platform, name, shot) {
  await (await shown(browser, "nav-profiles")).click();
  await (await shown(browser, "profiles-create")).click();
  await shown(browser, "wizard-step-1");
  await press(browser, await present(browser, `platform-${platform}`));
  const select = await inField(browser, "token", "select");
  await select.selectByVisibleText("Simulator — Contoso Demo (simulator)");
  await (await inField(browser, "name", "input")).setValue(name);
  await screenshot(browser, shot);
  await next(browser);
  await shown(browser, "wizard-step-2");
}

async function hideScreen(browser, query, key) {
  const search = await shown(browser, "skip-key-search");
  const input =
    (await search.getTagName()).toLowerCase() === "input" ? search : await search.$("input");
  await input.setValue(query);
  await press(browser, await present(browser, `skip-key-${key}-hide`));
  await browser.waitUntil(
    async () =>
      (await (await shown(browser, `skip-key-${key}`)).getAttribute("data-hidden")) === "true",
    { timeout: 10_000, timeoutMsg: `${key} was not hidden` },
  );
}

async function reviewAndCreate(browser, prefix, pattern) {
  await shown(browser, "wizard-step-4");
  const summary = await shown(browser, "review-summary");
  await textMatches(browser, summary, pattern);
  await screenshot(browser, `${prefix}-4-review`);
  await scrollTo(browser, "apple-json-toggle");
  await (await shown(browser, "apple-json-toggle")).click();
  const json = await shown(browser, "apple-json");
  await screenshot(browser, `${prefix}-4-review-json`);
  const text = await json.getText();
  const create = await shown(browser, "wizard-create");
  await browser.waitUntil(async () => create.isEnabled(), {
    timeout: 20_000,
    timeoutMsg: "Create never became enabled",
  });
  await create.click();
  await shown(browser, "profile-detail", 30_000);
  await textMatches(browser, await shown(browser, "detail-upload-badge"), /Uploaded/i, 30_000);
  await screenshot(browser, `${prefix}-5-detail`);
  return text;
}

test("a macOS profile: user affinity, language and region, FileVault hidden", async () => {
  const { browser } = app;
  await basics(browser, "macOS", "Studio Macs", "platform-macos-1-basics");

  // Only what macOS uses: no Shared iPad, no pairing choices, no Return to Service.
  assert.equal(await (await browser.$('[data-testid="field-sharedIPad"]')).isExisting(), false);
  assert.equal(await (await browser.$('[data-testid="field-returnToService"]')).isExisting(), false);
  await shown(browser, "sync-unavailable");
  await press(browser, await present(browser, "userAffinity-withUserAffinity"));
  await press(browser, await present(browser, "authentication-setupAssistantModern"));
  assert.equal(
    await (await browser.$('[data-testid="authentication-companyPortal"]')).isExisting(),
    false,
  );
  await screenshot(browser, "platform-macos-2-management");
  await (await scrollTo(browser, "language-select")).selectByAttribute("value", "fr");
  await (await shown(browser, "region-select")).selectByAttribute("value", "CA");
  await screenshot(browser, "platform-macos-2-language");
  await next(browser);

  await shown(browser, "wizard-step-3");
  await shown(browser, "skip-key-FileVault");
  assert.equal(await (await browser.$('[data-testid="skip-key-SIMSetup"]')).isExisting(), false);
  await scrollTo(browser, "skip-key-search");
  await screenshot(browser, "platform-macos-3-setup-assistant");
  await hideScreen(browser, "FileVault", "FileVault");
  await next(browser);

  const json = await reviewAndCreate(browser, "platform-macos", /macOS[\s\S]*French \(fr\)/);
  assert.match(json, /"language": "fr"/);
  assert.match(json, /"region": "CA"/);
  assert.match(json, /"FileVault"/);
  await textMatches(browser, await shown(browser, "detail-platform"), /macOS/);
});

test("a tvOS profile: auto advance, language and region, the room screen hidden", async () => {
  const { browser } = app;
  await basics(browser, "tvOS", "Meeting room TVs", "platform-tvos-1-basics");

  await shown(browser, "user-affinity-unavailable");
  await (await scrollTo(browser, "language-select")).selectByAttribute("value", "en");
  await (await shown(browser, "region-select")).selectByAttribute("value", "US");
  await press(browser, await inField(browser, "autoAdvanceSetup", "input"));
  await screenshot(browser, "platform-tvos-2-management");
  await next(browser);

  await shown(browser, "wizard-step-3");
  await shown(browser, "skip-key-TVRoom");
  await scrollTo(browser, "skip-key-search");
  await screenshot(browser, "platform-tvos-3-setup-assistant");
  await hideScreen(browser, "room", "TVRoom");
  await next(browser);

  const json = await reviewAndCreate(browser, "platform-tvos", /tvOS[\s\S]*English \(en\)/);
  assert.match(json, /"auto_advance_setup": true/);
  assert.match(json, /"TVRoom"/);

  // The list names each profile's platform; the macOS one becomes the macOS default.
  await (await shown(browser, "nav-profiles")).click();
  const mac = await shown(browser, "profile-row-Studio Macs");
  await textMatches(browser, mac, /macOS/);
  await (await mac.$('[data-testid="profile-actions"]')).click();
  await (await shown(browser, "profile-set-default")).click();
  await textMatches(browser, await shown(browser, "profile-row-Studio Macs"), /Default for macOS/);
  await screenshot(browser, "platform-list");

  // The demo token's page: each platform's default and what waits for one.
  await (await shown(browser, "nav-tokens")).click();
  const row = await browser.$('[data-token-row="Simulator — Contoso Demo"]');
  await row.waitForDisplayed({ timeout: 15_000 });
  await press(browser, row);
  await textMatches(browser, await shown(browser, "detail-default-profiles"), /macOS: Studio Macs/);
  await screenshot(browser, "platform-token");

  // After a sync, new Macs got the macOS default; the other platforms' devices wait for theirs.
  await press(browser, await browser.$('[data-testid^="sync-now-"]'));
  const waiting = await shown(browser, "devices-without-default", 60_000);
  const text = await waiting.getText();
  assert.doesNotMatch(text, /Macs? wait/);
  assert.match(text, /no (iOS\/iPadOS|tvOS|visionOS) default profile/);
  await browser.execute(() => window.scrollTo(0, 0));
  await screenshot(browser, "platform-token-synced");

  await (await shown(browser, "nav-dashboard")).click();
  await shown(browser, "dashboard-without-default");
  await screenshot(browser, "platform-dashboard");
});
