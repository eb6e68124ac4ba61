// Alerts that reach people (issue 16), through a real `depot serve` and the
// browser: the administrator adds a webhook in Settings → Webhooks (its
// address is shown as its host only), sends a test message that a receiver
// on loopback gets, and then the server's own alert pass delivers a raised
// alert to it — the demo token's devices without a default profile.
// Screenshots: webhooks-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import {
  byTestId,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  startServer,
} from "./harness.mjs";

let server;
let browser;
let receiver;
const received = [];

/** A webhook receiver on loopback: keeps every JSON body, answers 200. */
async function startReceiver() {
  const http = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        received.push(null);
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, url: `http://127.0.0.1:${http.address().port}/hooks/it-team-secret` };
}

before(async () => {
  receiver = await startReceiver();
  // The alert pass every 2 seconds instead of every minute.
  server = await startServer(
    { "alice@example.org": "administrator" },
    { args: ["--alerts-every", "2"] },
  );
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => receiver?.http.close(resolve));
});

test("the administrator adds a webhook, tests it, and the server delivers a raised alert", async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  try {
    await byTestId(page, "signin-page").waitFor();
    await signIn(page, "alice@example.org");
    await byTestId(page, "topbar-user").waitFor();

    await byTestId(page, "nav-settings").click();
    const card = byTestId(page, "settings-webhooks");
    await byTestId(page, "webhooks-empty").waitFor();
    // On a server: no "desktop only" note.
    assert.equal(await byTestId(page, "webhooks-desktop-note").count(), 0);
    await byTestId(page, "webhooks-add").click();
    const dialog = byTestId(page, "webhook-add-dialog");
    await byTestId(page, "webhook-add-name").fill("IT team");
    await byTestId(page, "webhook-add-url").fill(receiver.url);
    await byTestId(page, "webhook-add-format").selectOption("json");
    await byTestId(page, "webhook-add-severity").selectOption("warning");
    await screenshot(page, "webhooks-1-add");
    await byTestId(page, "webhook-add-confirm").click();
    await dialog.waitFor({ state: "detached" });
    const row = card.locator('[data-testid^="webhook-row-"]');
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /IT team/);
    assert.match(text, /JSON/);
    assert.match(text, /http:\/\/127\.0\.0\.1:\d+\/…/);
    assert.doesNotMatch(
      await page.locator("main").innerText(),
      /it-team-secret/,
      "the address is shown as its host only",
    );

    // Send test: the receiver gets Depot's test message, and the page says so.
    await card.locator('[data-testid^="webhook-test-"]').first().click();
    const result = card.locator('[data-testid^="webhook-test-result-"]');
    await result.waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), /Test message to IT team delivered \(HTTP 200\)/);
    assert.equal(received.at(-1)?.event, "test");
    await screenshot(page, "webhooks-2-tested");

    // The demo token's devices have no default for their platform: once the
    // server's scheduler has synced them, its alert pass tells the webhook.
    await byTestId(page, "nav-tokens").click();
    await byTestId(page, "try-simulator").click();
    await page
      .locator('[data-token-row="Simulator — Contoso Demo"]')
      .waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 150_000;
    let raised;
    while (!raised && Date.now() < deadline) {
      raised = received.find(
        (body) => body?.event === "raised" && body.alert?.kind === "noDefaultProfile",
      );
      if (!raised) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(raised, `no raised alert arrived: ${JSON.stringify(received)}`);
    assert.equal(raised.source, "depot");
    assert.equal(raised.alert.severity, "warning");
    assert.match(raised.alert.message, /default/i);

    // Every delivery is in the audit log.
    await byTestId(page, "nav-audit").click();
    await page.waitForFunction(
      () => /webhook\.delivered/.test(document.querySelector("main")?.innerText ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
