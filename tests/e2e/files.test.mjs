// Files in the real desktop window (issue 11): the webview never names a
// path. Saving the public key goes through the shell's own native save
// dialog (a GTK file chooser here), which this test answers like an admin
// would — typing a file name and pressing Enter, with xdotool — and then
// checks the file the shell wrote.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchApp, screenshot, shown, textMatches } from "./app.mjs";

let app;
let folder;
before(async () => {
  app = await launchApp();
  folder = mkdtempSync(join(tmpdir(), "depot-e2e-save-"));
});
after(async () => {
  await app?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The id of a visible window whose title matches, once there is one. */
async function windowNamed(pattern, timeout = 20_000) {
  // A monotonic stopwatch for the wait, not the date.
  const deadline = performance.now() + timeout;
  while (performance.now() < deadline) {
    try {
      const ids = execFileSync("xdotool", ["search", "--onlyvisible", "--name", pattern], {
        encoding: "utf8",
      })
        .split("\n")
        .filter(Boolean);
      if (ids.length > 0) return ids[ids.length - 1];
    } catch {
      // xdotool exits 1 while nothing matches
    }
    await sleep(200);
  }
  throw new Error(`no window named ${pattern} appeared`);
}

test("the public key is saved through the shell's native save dialog", async () => {
  const { browser } = app;
  await (await shown(browser, "nav-tokens")).click();
  await (await shown(browser, "add-token")).click();
  await shown(browser, "wizard-step-1");
  // Fluent draws its own box over a transparent <input>: click the input itself.
  const consent = await browser.$('[data-testid="consent-checkbox"]');
  await consent.waitForExist({ timeout: 15_000 });
  await browser.execute((el) => el.click(), consent);
  const next = await shown(browser, "wizard-next");
  await browser.waitUntil(async () => next.isEnabled(), { timeout: 20_000 });
  await next.click();
  await shown(browser, "wizard-step-2", 30_000);
  await (await shown(browser, "download-key")).click();

  // GTK's save dialog: its name field has the focus and the suggested name.
  const dialog = await windowNamed("Save|Depot_public_key");
  const target = join(folder, "depot-public-key.pem");
  // Xvfb has no window manager: give the dialog the keyboard focus, then type
  // as a person would (XTEST events, which GTK treats as real input).
  await sleep(500);
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  execFileSync("xdotool", ["key", "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "20", target]);
  await sleep(300);
  execFileSync("xdotool", ["key", "Return"]);

  const saved = await shown(browser, "key-saved", 20_000);
  await textMatches(browser, saved, /depot-public-key\.pem/);
  assert.ok(existsSync(target), "the shell wrote the chosen file");
  const pem = readFileSync(target, "utf8");
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  await screenshot(browser, "wizard-2-key-saved");
});
