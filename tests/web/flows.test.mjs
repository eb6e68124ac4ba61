// What a team does with Depot in a browser, on one `depot serve` (issue 14):
// an administrator creates a profile through the four-step wizard and sees it
// in the list; assigns it to devices through the preview (nothing is sent
// before Confirm), the run ends and the devices show the profile; a help-desk
// member whose account carries a scope tag sees only the token with that tag
// and its devices, and another token's page answers "not found", not its data.
// Screenshots: flows-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  byTestId,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  startServer,
} from "./harness.mjs";

const DEMO = "Simulator — Contoso Demo";
const DEMO_ROW = `[data-token-row="${DEMO}"]`;
const PROFILE = "Staff iPhones";

let server;
let browser;
/** The administrator's browser session, kept across the tests (they build on each other). */
let admin;
before(async () => {
  server = await startServer({ "alice@example.org": "administrator" });
  browser = await launchBrowser();
});
after(async () => {
  await admin?.context.close();
  await browser?.close();
  await server?.stop();
});

/** Signs `name` in in a fresh browser session and waits for the app. */
async function signedIn(name) {
  const session = await openPage(browser, server.url);
  await byTestId(session.page, "signin-page").waitFor();
  await signIn(session.page, name);
  await byTestId(session.page, "topbar-user").waitFor();
  return session;
}

/** Calls the API as the page's signed-in person: { status, body }. */
function rpc(page, name, payload) {
  return page.evaluate(
    async ({ name, payload }) => {
      const response = await fetch("/api/v1/rpc", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "X-Depot-Request": "1" },
        body: JSON.stringify({ name, payload }),
      });
      return { status: response.status, body: await response.json() };
    },
    { name, payload },
  );
}

/** Asks `check` until it answers true (polling a condition, never a fixed wait). */
async function until(check, what, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the device list counts `count` devices. */
async function deviceCount(page, count) {
  await page.waitForFunction(
    (n) =>
      document
        .querySelector('[data-testid="devices-total"]')
        ?.getAttribute("data-count") === n,
    count,
    { timeout: 120_000 },
  );
}

/** Clicks Next and waits for step `n`. */
async function next(page, n) {
  const button = byTestId(page, "wizard-next");
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="wizard-next"]')?.disabled,
    undefined,
    { timeout: 30_000 },
  );
  await button.click();
  await byTestId(page, `wizard-step-${n}`).waitFor({ timeout: 30_000 });
}

test("the administrator creates a profile through the wizard and sees it in the list", async () => {
  admin = await signedIn("alice@example.org");
  const { page, problems } = admin;
  // The simulator (demo mode) gives a token with 2,500 devices and a built-in enrollment URL.
  await byTestId(page, "nav-tokens").click();
  await byTestId(page, "try-simulator").click();
  await page.locator(DEMO_ROW).waitFor({ timeout: 60_000 });
  // Its devices arrive while the profile is made (the next test assigns it).
  await byTestId(page, "nav-sync").click();
  await byTestId(page, "sync-now-1").click();

  await byTestId(page, "nav-profiles").click();
  await byTestId(page, "profiles-create").click();
  await byTestId(page, "wizard-step-1").waitFor();
  await byTestId(page, "platform-iOS").check();
  await byTestId(page, "field-token")
    .locator("select")
    .selectOption({ label: `${DEMO} (simulator)` });
  await byTestId(page, "field-name").locator("input").fill(PROFILE);
  // The demo token has an enrollment URL: no warning that one is missing.
  assert.equal(await byTestId(page, "token-no-enrollment-url").count(), 0);
  await screenshot(page, "flows-1-wizard-basics");
  await next(page, 2);
  await screenshot(page, "flows-2-wizard-management");
  await next(page, 3);
  await next(page, 4);
  await byTestId(page, "review-summary").waitFor();
  assert.match(
    await byTestId(page, "review-summary").innerText(),
    /Staff iPhones/,
  );
  await byTestId(page, "apple-json-toggle").click();
  assert.match(
    await byTestId(page, "apple-json").innerText(),
    /"url": "https:\/\/mdm\.contoso-demo\.example\/enroll"/,
  );
  await screenshot(page, "flows-3-wizard-review");

  await byTestId(page, "wizard-create").click();
  await byTestId(page, "page-profile-detail").waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () =>
      /Uploaded/i.test(
        document.querySelector('[data-testid="detail-upload-badge"]')
          ?.textContent ?? "",
      ),
    undefined,
    { timeout: 60_000 },
  );
  await screenshot(page, "flows-4-profile-detail");

  await byTestId(page, "nav-profiles").click();
  const row = byTestId(page, `profile-row-${PROFILE}`);
  await row.waitFor();
  assert.match(await row.innerText(), /Uploaded/i);
  await screenshot(page, "flows-5-profile-list");
  assert.deepEqual(problems, []);
});

test("assigning through the preview: nothing is sent before Confirm, then the devices show the profile", async () => {
  assert.ok(admin, "the administrator's session from the first test");
  const { page, problems } = admin;
  // The sync started in the first test has brought the demo token's devices.
  await until(async () => {
    const [count, status] = await Promise.all([
      rpc(page, "devices.count", { query: { tokenId: "1" } }),
      rpc(page, "sync.status", { id: "1" }),
    ]);
    return count.body.count === 2500 && status.body.running === null;
  }, "the demo token's 2,500 devices");
  await byTestId(page, "nav-devices").click();
  await deviceCount(page, "2500");
  await byTestId(page, "devices-table").waitFor();

  // An iOS profile is for iPhones and iPads: only iPhones, through the family filter.
  await byTestId(page, "devices-filter-family").click();
  await byTestId(page, "devices-filter-family-iPhone").click();
  await byTestId(page, "devices-chip-family-iPhone").waitFor();
  await page.waitForFunction(
    () => {
      const n = Number(
        document
          .querySelector('[data-testid="devices-total"]')
          ?.getAttribute("data-count"),
      );
      return n > 3 && n < 2500;
    },
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".device-row")].length >= 3 &&
      [
        ...document.querySelectorAll('.device-row [data-column="family"]'),
      ].every((cell) => cell.textContent === "iPhone"),
    undefined,
    { timeout: 60_000 },
  );

  // Three devices, chosen by their checkboxes.
  const rows = page.locator(".device-row");
  await rows.nth(2).waitFor();
  const serials = [];
  for (let i = 0; i < 3; i++) {
    const row = rows.nth(i);
    serials.push(
      (await row.getAttribute("data-testid")).replace("device-row-", ""),
    );
    await row.locator('input[type="checkbox"]').click();
  }
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="devices-selection"]')
        ?.getAttribute("data-count") === "3",
    undefined,
    { timeout: 30_000 },
  );
  await screenshot(page, "flows-6-selected");

  await byTestId(page, "devices-assign").click();
  await byTestId(page, "assign-dialog").waitFor();
  const picker = byTestId(page, "assign-profile");
  await picker.waitFor({ timeout: 30_000 });
  const label = await picker
    .locator("option", { hasText: PROFILE })
    .first()
    .innerText();
  await picker.selectOption({ label });
  await byTestId(page, "assign-preview").click();
  await byTestId(page, "assignment-preview").waitFor({ timeout: 60_000 });
  for (const serial of serials) {
    assert.equal(
      await byTestId(page, `preview-row-${serial}`).getAttribute(
        "data-will-send",
      ),
      "true",
      `${serial} would be sent`,
    );
  }
  assert.match(
    await byTestId(page, "assign-confirm").innerText(),
    /Assign to 3 devices/,
  );
  // The preview is only a preview: no run exists, no device holds the profile yet.
  const history = await rpc(page, "assignments.history", { tokenId: "1" });
  assert.equal(history.status, 200);
  assert.deepEqual(history.body.runs, []);
  const before = await rpc(page, "devices.get", { serial: serials[0] });
  assert.equal(before.status, 200);
  assert.doesNotMatch(JSON.stringify(before.body), /Staff iPhones/);
  await screenshot(page, "flows-7-preview");

  await byTestId(page, "assign-confirm").click();
  await byTestId(page, "assignment-run").waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="assignment-run"]')
        ?.getAttribute("data-result") === "ok",
    undefined,
    { timeout: 120_000 },
  );
  await byTestId(page, "assignment-results").waitFor({ timeout: 60_000 });
  for (const serial of serials) {
    assert.equal(
      await byTestId(page, `assignment-result-${serial}`).getAttribute(
        "data-outcome",
      ),
      "SUCCESS",
    );
  }
  await screenshot(page, "flows-8-run-finished");
  await byTestId(page, "assign-close").click();

  // The list shows the profile on each of the three devices.
  for (const serial of serials) {
    await page.waitForFunction(
      ({ serial, name }) =>
        document
          .querySelector(
            `[data-testid="device-row-${serial}"] [data-column="profile"]`,
          )
          ?.textContent?.includes(name),
      { serial, name: PROFILE },
      { timeout: 60_000 },
    );
  }
  await screenshot(page, "flows-9-devices-with-profile");
  assert.deepEqual(problems, []);
});

test("a help-desk member with a scope tag sees only that token; another token's page is not found", async () => {
  assert.ok(admin, "the administrator's session from the first test");
  const { page, problems } = admin;
  // The administrator tags the demo token "Berlin" on its page.
  await byTestId(page, "nav-tokens").click();
  await page.locator(DEMO_ROW).click();
  await byTestId(page, "scope-tags-card").waitFor();
  await byTestId(page, "scope-tag-input").fill("Berlin");
  await byTestId(page, "scope-tag-input").press("Enter");
  await byTestId(page, "scope-tags-save").click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="scope-tags-save"]')?.disabled ===
      true,
    undefined,
    { timeout: 30_000 },
  );
  // (The demo token comes tagged "Demo".)
  assert.ok(
    (await byTestId(page, "scope-tag").allInnerTexts()).includes("Berlin"),
  );
  await screenshot(page, "flows-10-token-tagged");

  // A second simulated token, tagged "Paris", as the Add token wizard makes it.
  const key = await rpc(page, "tokens.generateKey", { replace: false });
  assert.equal(key.status, 200, JSON.stringify(key.body));
  const issued = await rpc(page, "demo.issueToken", {});
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  const added = await rpc(page, "tokens.add", {
    file: issued.body.file,
    appleUrl: issued.body.appleUrl,
    appleId: "it-admin@contoso.example",
    scopeTags: ["Paris"],
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const paris = added.body;
  assert.deepEqual(paris.scopeTags, ["Paris"]);
  // Its devices: a sync (the server's scheduler may have started one already).
  const sync = await rpc(page, "sync.start", { id: paris.id });
  assert.ok(
    sync.status === 200 || sync.body.code === "SYNC_RUNNING",
    JSON.stringify(sync.body),
  );
  await until(async () => {
    const [count, status] = await Promise.all([
      rpc(page, "devices.count", { query: { tokenId: paris.id } }),
      rpc(page, "sync.status", { id: paris.id }),
    ]);
    return count.body.count === 2500 && status.body.running === null;
  }, "the second token's 2,500 devices");
  const parisDevice = await rpc(page, "devices.list", {
    query: { tokenId: paris.id },
    limit: 1,
  });
  const parisSerial = parisDevice.body.rows?.[0]?.serial;
  assert.ok(parisSerial, JSON.stringify(parisDevice.body).slice(0, 300));
  await byTestId(page, "nav-tokens").click();
  await page.locator(`[data-token-row="${paris.serverName}"]`).waitFor();
  await screenshot(page, "flows-11-admin-two-tokens");
  assert.deepEqual(problems, []);

  server.depot(
    "users",
    "add",
    "berta",
    "--role",
    "help-desk",
    "--scope-tag",
    "Berlin",
    "--password-stdin",
  );
  const helpdesk = await signedIn("berta");
  try {
    const hp = helpdesk.page;
    assert.equal(
      await byTestId(hp, "topbar-user").innerText(),
      "Signed in as berta (help-desk)",
    );
    // Only the Berlin token.
    await byTestId(hp, "nav-tokens").click();
    await hp.locator(DEMO_ROW).waitFor();
    assert.deepEqual(
      await hp
        .locator("[data-token-row]")
        .evaluateAll((rows) =>
          rows.map((r) => r.getAttribute("data-token-row")),
        ),
      [DEMO],
    );
    assert.doesNotMatch(await hp.locator("main").innerText(), /Paris/);
    await screenshot(hp, "flows-12-helpdesk-tokens");

    // Only its 2,500 devices, every row of the Berlin token.
    await byTestId(hp, "nav-devices").click();
    await deviceCount(hp, "2500");
    await byTestId(hp, "devices-table").waitFor();
    const tokenIds = await hp
      .locator(".device-row")
      .evaluateAll((rows) => [
        ...new Set(rows.map((r) => r.getAttribute("data-token-id"))),
      ]);
    assert.deepEqual(tokenIds, ["1"]);
    await screenshot(hp, "flows-13-helpdesk-devices");
    // A Paris device is not found by its serial either.
    await byTestId(hp, "devices-search").fill(parisSerial);
    await deviceCount(hp, "0");
    await screenshot(hp, "flows-14-helpdesk-search-other-scope");

    // The Paris token's page by its address: not found, nothing of its data.
    await hp.goto(`${server.url}/#/tokens/${encodeURIComponent(paris.id)}`);
    const error = hp.locator(
      '[data-testid="page-token-detail"] [data-testid="error-state"]',
    );
    await error.waitFor({ timeout: 60_000 });
    assert.equal(await error.getAttribute("data-error-code"), "NOT_FOUND");
    const shown = await hp.locator("main").innerText();
    assert.match(shown, /not found/i);
    // What to do about it, not "restart Depot".
    assert.match(
      shown,
      /may have been deleted, or your account may not see it/,
    );
    assert.doesNotMatch(shown, /restart Depot/);
    for (const secret of [paris.serverName, "Paris", paris.orgName].filter(
      Boolean,
    )) {
      assert.ok(!shown.includes(secret), `the page shows "${secret}"`);
    }
    await screenshot(hp, "flows-15-helpdesk-other-token");

    // The server decides: the API answers the same for the other token and its device.
    const token = await rpc(hp, "tokens.get", { id: paris.id });
    assert.equal(token.status, 404);
    assert.equal(token.body.code, "NOT_FOUND");
    const device = await rpc(hp, "devices.get", { serial: parisSerial });
    assert.equal(device.status, 404);
    assert.deepEqual(helpdesk.problems, []);
  } finally {
    await helpdesk.context.close();
  }
});
