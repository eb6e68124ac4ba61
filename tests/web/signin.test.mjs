// Signing in to `depot serve` in a real browser: the served UI, a refused
// password with the server's reason, the right one, who is signed in, the
// session surviving a reload, signing out. Screenshots: signin-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  byTestId,
  launchBrowser,
  openPage,
  PASSWORD,
  screenshot,
  signIn,
  startServer,
} from "./harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ "alice@example.org": "administrator" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the server serves the UI with its security headers", async () => {
  const response = await fetch(`${server.url}/`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<div id="root">/);
  assert.match(
    response.headers.get("content-security-policy"),
    /frame-ancestors 'none'/,
  );
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  // An app path reloads into the app; the API's own 404 stays JSON.
  assert.equal((await fetch(`${server.url}/devices`)).status, 200);
  const api = await fetch(`${server.url}/api/v1/nothing`);
  assert.equal(api.status, 404);
  assert.equal((await api.json()).code, "NOT_FOUND");
});

test("a wrong password is refused with the server's reason; the right one opens the app", async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  try {
    await byTestId(page, "signin-page").waitFor();
    await screenshot(page, "signin-1-page");

    await signIn(page, "alice@example.org", "not the password");
    const error = byTestId(page, "signin-error");
    await error.waitFor();
    assert.match(await error.innerText(), /user name or password is not right/);
    assert.equal(await byTestId(page, "signin-password").inputValue(), "");
    await screenshot(page, "signin-2-refused");

    await signIn(page, "alice@example.org", PASSWORD);
    const who = byTestId(page, "topbar-user");
    await who.waitFor();
    assert.equal(
      await who.innerText(),
      "Signed in as alice@example.org (administrator)",
    );
    await byTestId(page, "nav-dashboard").waitFor();
    await screenshot(page, "signin-3-dashboard");

    // The session is an HttpOnly cookie: the page's script cannot read it.
    assert.equal(await page.evaluate(() => document.cookie), "");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "depot_session");
    assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
    assert.equal(session?.sameSite, "Strict");

    // A reload keeps the session.
    await page.reload();
    await byTestId(page, "topbar-user").waitFor();

    await byTestId(page, "sign-out").click();
    await byTestId(page, "signin-page").waitFor();
    assert.match(
      await byTestId(page, "signin-notice").innerText(),
      /signed out/,
    );
    await screenshot(page, "signin-4-signed-out");
    // Signed out means signed out: the server refuses the old session too.
    await page.reload();
    await byTestId(page, "signin-page").waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("after five wrong passwords the server says to wait (429), and the page says so", async () => {
  const { page, context } = await openPage(browser, server.url);
  try {
    await byTestId(page, "signin-page").waitFor();
    // A separate account name, so the other tests' account is not slowed.
    for (let i = 0; i < 6; i++) {
      await signIn(page, "mallory", `guess ${i}`);
      await byTestId(page, "signin-error").waitFor();
      await page.waitForFunction(
        () =>
          !document
            .querySelector('[data-testid="signin-submit"]')
            ?.textContent?.includes("…"),
      );
    }
    const error = byTestId(page, "signin-error");
    assert.match(await error.innerText(), /Sign-in paused/);
    assert.match(
      await error.innerText(),
      /Too many failed sign-ins; try again in \d+ minutes\./,
    );
    await screenshot(page, "signin-5-too-many");
  } finally {
    await context.close();
  }
});

test("with an identity provider configured, the sign-in page offers it", async () => {
  // The provider is never contacted here: its address only has to be configured.
  const withOidc = await startServer(
    {},
    {
      args: [
        "--public-url",
        "http://127.0.0.1:8750",
        "--oidc-issuer",
        "http://127.0.0.1:9/",
        "--oidc-client-id",
        "depot",
        "--oidc-role",
        "Depot Admins=administrator",
      ],
      env: { DEPOT_OIDC_CLIENT_SECRET: "not a real secret" },
    },
  );
  const { page, context } = await openPage(browser, withOidc.url);
  try {
    const button = byTestId(page, "signin-oidc");
    await button.waitFor();
    assert.equal(await button.getAttribute("href"), "/api/v1/oidc/login");
    await screenshot(page, "signin-6-identity-provider");
  } finally {
    await context.close();
    await withOidc.stop();
  }
});
