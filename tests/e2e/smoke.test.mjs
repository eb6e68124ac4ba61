// Desktop smoke test: the real Depot window on a new workspace — the Tokens
// empty state, every page, and a screenshot.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, screenshot, shown } from "./app.mjs";

let app;
before(async () => {
  app = await launchApp();
});
after(async () => {
  await app?.stop();
});

test("the window is titled Depot", async () => {
  assert.match(await app.browser.getTitle(), /Depot/);
});

test("the dashboard reads the temporary workspace over rpc", async () => {
  const { browser, workspace } = app;
  await (await shown(browser, "nav-dashboard")).click();
  const page = await shown(browser, "page-dashboard");
  await browser.waitUntil(async () => (await page.getText()).includes(workspace), {
    timeout: 15_000,
    timeoutMsg: `the dashboard never showed the workspace path ${workspace}`,
  });
});

test("the tokens page shows the empty state with Add token and the simulator", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-tokens")).click();
  await shown(browser, "page-tokens");
  const empty = await shown(browser, "tokens-empty");
  assert.match(await empty.getText(), /token/i);
  assert.equal(await (await shown(browser, "add-token")).isEnabled(), true);
  assert.equal(await (await shown(browser, "try-simulator")).isEnabled(), true);
});

test("every page opens from the navigation", async () => {
  const { browser } = app;
  for (const page of ["dashboard", "tokens", "profiles", "devices", "sync", "audit", "settings"]) {
    await (await shown(browser, `nav-${page}`)).click();
    const root = await shown(browser, `page-${page}`);
    const heading = await root.$("h1");
    assert.ok((await heading.getText()).length > 0, `page ${page} has a heading`);
  }
});

test("screenshots of the shell are saved", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-tokens")).click();
  await shown(browser, "tokens-empty");
  const shot = await screenshot(browser, "tokens-empty");
  assert.ok(shot.bytes > 10_000, "the screenshot has content");
  console.log(`screenshot: ${shot.file}`);
  await (await shown(browser, "nav-dashboard")).click();
  await shown(browser, "page-dashboard");
  await screenshot(browser, "dashboard");
});
