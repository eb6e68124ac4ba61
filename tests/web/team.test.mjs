// A team on one `depot serve`, each in their own browser session: the
// administrator starts the simulator (demo mode) and syncs its token, the
// devices show up in the list; a help-desk member sees them without the
// administrator's actions, and once made read-only while signed in is refused
// with the server's reason; a read-only member gets no changes offered and is
// refused when asking the API directly.
// Screenshots: team-*.png.
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

const DEMO_ROW = '[data-token-row="Simulator — Contoso Demo"]';
const DEMO_DEVICES = "2500";

let server;
let browser;
before(async () => {
  server = await startServer({
    "alice@example.org": "administrator",
    hank: "help-desk",
    rita: "read-only",
  });
  browser = await launchBrowser();
});
after(async () => {
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

/** Waits until the device list counts `count` devices. */
async function deviceCount(page, count) {
  await page.waitForFunction(
    (n) =>
      document
        .querySelector('[data-testid="devices-total"]')
        ?.getAttribute("data-count") === n,
    count,
    { timeout: 60_000 },
  );
}

test("the administrator starts the simulator, syncs, and sees the devices", async () => {
  const { page, context, problems } = await signedIn("alice@example.org");
  try {
    await byTestId(page, "nav-tokens").click();
    await byTestId(page, "try-simulator").click();
    await page.locator(DEMO_ROW).waitFor({ timeout: 60_000 });
    await byTestId(page, "topbar-simulator").waitFor();
    await screenshot(page, "team-1-demo-token");

    await byTestId(page, "nav-sync").click();
    await byTestId(page, "sync-now-1").click();
    // The pushed change events (server-sent) or the page's poll fill in the count.
    await page.waitForFunction(
      () =>
        /2[,.\s\u202f]?500/.test(
          document.querySelector('[data-testid="sync-devices-1"]')
            ?.textContent ?? "",
        ),
      undefined,
      { timeout: 120_000 },
    );
    await screenshot(page, "team-2-synced");
    // On a server the scheduler syncs whether or not anyone has Depot open.
    assert.match(
      await byTestId(page, "page-sync").innerText(),
      /server syncs changes every 12 hours, whether or not anyone has Depot open/,
    );
    // A sync that has just ended is "just now", never "in less than a minute".
    assert.doesNotMatch(
      await page.locator("main").innerText(),
      /Last successful sync\s+in /,
    );
    // The sync's progress reached the page as server-sent events on the cookie session.
    assert.ok(
      (await page.evaluate(() => window.__depotChanges)) > 0,
      "no change event reached the page",
    );

    await byTestId(page, "nav-devices").click();
    await deviceCount(page, DEMO_DEVICES);
    await byTestId(page, "devices-table").waitFor();
    // Everything an administrator may do is offered.
    for (const id of ["devices-assign", "devices-remove", "devices-delete"]) {
      assert.equal(
        await byTestId(page, id).count(),
        1,
        `${id} is offered to an administrator`,
      );
    }
    await screenshot(page, "team-3-devices");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("a help-desk member sees the devices but not the administrator's actions", async () => {
  const { page, context, problems } = await signedIn("hank");
  try {
    assert.equal(
      await byTestId(page, "topbar-user").innerText(),
      "Signed in as hank (help-desk)",
    );
    await byTestId(page, "nav-devices").click();
    await deviceCount(page, DEMO_DEVICES);
    assert.equal(
      await byTestId(page, "devices-assign").count(),
      1,
      "help-desk assigns profiles",
    );
    assert.equal(
      await byTestId(page, "devices-delete").count(),
      0,
      "deleting is not offered",
    );
    await screenshot(page, "team-4-helpdesk-devices");

    await byTestId(page, "nav-tokens").click();
    await page.locator(DEMO_ROW).click();
    await byTestId(page, "check-token").waitFor();
    for (const id of ["renew-token", "delete-token", "scope-tags-save"]) {
      assert.equal(
        await byTestId(page, id).count(),
        0,
        `${id} is not offered to help-desk`,
      );
    }
    await byTestId(page, "scope-tags-list").waitFor();
    await screenshot(page, "team-5-helpdesk-token");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("a read-only member is refused with the server's reason", async () => {
  const { page, context, problems } = await signedIn("rita");
  try {
    await byTestId(page, "nav-tokens").click();
    await page.locator(DEMO_ROW).waitFor();
    assert.equal(
      await byTestId(page, "add-token").count(),
      0,
      "no Add token for read-only",
    );
    // A bookmark to the Add token wizard says why instead of a form.
    await page.goto(`${server.url}/#/tokens/add`);
    await byTestId(page, "not-for-your-role").waitFor();
    await screenshot(page, "team-7-readonly-bookmark");

    // No sync buttons, but a word on why.
    await byTestId(page, "nav-sync").click();
    await byTestId(page, "sync-not-allowed-1").waitFor();
    assert.equal(await byTestId(page, "sync-now-1").count(), 0);

    // Where devices enroll: shown, but only an administrator may change it.
    await byTestId(page, "nav-settings").click();
    await byTestId(page, "settings-enrollment-admin-only").waitFor();
    assert.equal(await byTestId(page, "settings-enrollment-save").count(), 0);

    // Asking the API directly changes nothing either: 403 with the reason.
    const answer = await page.evaluate(async () => {
      const response = await fetch("/api/v1/rpc", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "X-Depot-Request": "1" },
        body: JSON.stringify({ name: "tokens.delete", payload: { id: "1" } }),
      });
      return { status: response.status, body: await response.json() };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.code, "FORBIDDEN");
    assert.match(
      answer.body.message,
      /read-only may not .*ask an administrator/,
    );

    // And without the CSRF header a cookie session changes nothing at all.
    const forged = await page.evaluate(async () => {
      const response = await fetch("/api/v1/rpc", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "sync.start", payload: { id: "1" } }),
      });
      return response.status;
    });
    assert.equal(forged, 403);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("someone made read-only while signed in is refused with the server's reason", async () => {
  const { page, context, problems } = await signedIn("hank");
  try {
    await byTestId(page, "nav-tokens").click();
    await page.locator(DEMO_ROW).click();
    const check = byTestId(page, "check-token");
    await check.waitFor();
    // On the server, an administrator changes hank's role; the page still shows the button.
    server.depot("users", "set-role", "hank", "read-only");
    await check.click();
    const refusal = page
      .getByText("a read-only may not", { exact: false })
      .first();
    await refusal.waitFor();
    const alert = page.locator('[data-error-code="FORBIDDEN"]').first();
    assert.match(
      await alert.innerText(),
      /Ask an administrator to do it, or to change your role/,
    );
    await refusal.scrollIntoViewIfNeeded();
    await screenshot(page, "team-8-demoted-refused");
    // The refusal makes the page ask again who this is: the top bar and the
    // buttons offered follow the new role without a reload.
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="topbar-user"]')
        ?.textContent?.includes("(read-only)"),
    );
    assert.equal(await byTestId(page, "check-token").count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
