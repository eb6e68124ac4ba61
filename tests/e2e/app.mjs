// Starts the real Depot binary through tauri-driver (which drives Debian's
// WebKitWebDriver) on a private temporary workspace, for node:test suites.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
export const screenshotDir = join(here, "screenshots");

async function waitForDriver(child, port) {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start listening");
}

/** Removes a launch's temporary workspace. The webview's GPU process can
 * still be writing its shader cache for a moment after the window closed, so
 * removal retries, and a leftover temporary folder is reported, never a
 * failed test. */
function removeWorkspace(workspace) {
  try {
    rmSync(workspace, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (error) {
    console.warn(`left the temporary workspace ${workspace} behind: ${error.message}`);
  }
}

/** The processes started for one launch: every one carries its private
 * workspace in its environment (tauri-driver, WebKitWebDriver, the app and
 * WebKit's helper processes). */
function launchProcesses(workspace) {
  const marker = `DEPOT_WORKSPACE=${workspace}\0`;
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ends whatever of a launch is still running: SIGTERM, then SIGKILL after 5 s.
 * A window left behind (WebKit keeps the app alive when its web process
 * crashes, and a driver killed mid-session orphans it) would hold the test
 * runner's output open and the whole suite would never end. */
async function endLaunch(workspace) {
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const left = launchProcesses(workspace);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    for (let i = 0; i < 50 && launchProcesses(workspace).length > 0; i++) await sleep(100);
  }
  const stuck = launchProcesses(workspace);
  if (stuck.length > 0) console.warn(`processes of ${workspace} would not end: ${stuck.join(", ")}`);
}

/** Launches the app; returns { browser, workspace, stop }. */
export async function launchApp() {
  const app = process.env.DEPOT_APP_BINARY;
  assert.ok(app && existsSync(app), `DEPOT_APP_BINARY must point at the built app (got ${app})`);
  const workspace = mkdtempSync(join(tmpdir(), "depot-e2e-"));
  const port = 4444 + (process.pid % 500);
  const driver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-driver", "/usr/bin/WebKitWebDriver"],
    {
      stdio: ["ignore", "inherit", "inherit"],
      // The app inherits this environment: a private workspace and key file, never the user's.
      env: {
        ...process.env,
        DEPOT_WORKSPACE: workspace,
        DEPOT_KEY_FILE: join(workspace, "workspace.key"),
        // The webview's own storage (localStorage: the Add token wizard's
        // progress, chosen columns) is private to this launch too, so no test
        // sees what an earlier run left behind.
        XDG_DATA_HOME: join(workspace, "xdg-data"),
        XDG_CACHE_HOME: join(workspace, "xdg-cache"),
        XDG_CONFIG_HOME: join(workspace, "xdg-config"),
        DEPOT_LOG: "warn",
      },
    },
  );
  // Should this test file end without `stop` (a failed `before`, a crash),
  // nothing of the launch outlives it.
  const killAll = () => {
    for (const pid of launchProcesses(workspace)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killAll);
  await waitForDriver(driver, port);
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: app },
    },
  });
  const stop = async () => {
    await browser.deleteSession().catch(() => {});
    // tauri-driver, the window and WebKit's processes, all at once.
    await endLaunch(workspace);
    process.off("exit", killAll);
    removeWorkspace(workspace);
  };
  return { browser, workspace, stop };
}

/** The element with this data-testid, once displayed. */
export async function shown(browser, testId, timeout = 15_000) {
  const el = await browser.$(`[data-testid="${testId}"]`);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${testId} never appeared` });
  return el;
}

/** Waits until the element's text matches. */
export async function textMatches(browser, el, pattern, timeout = 15_000) {
  await browser.waitUntil(async () => pattern.test(await el.getText()), {
    timeout,
    timeoutMsg: `text never matched ${pattern}`,
  });
}

/** Saves a PNG of the window under tests/e2e/screenshots/. */
export async function screenshot(browser, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await browser.pause(300);
  const png = Buffer.from(await browser.takeScreenshot(), "base64");
  const file = join(screenshotDir, `${name}.png`);
  writeFileSync(file, png);
  return { file, bytes: png.length };
}

/** An element that exists, displayed or not (Fluent radios and checkboxes put
 * their testid on a transparent <input>). */
export async function present(browser, testId, timeout = 15_000) {
  const el = await browser.$(`[data-testid="${testId}"]`);
  await el.waitForExist({ timeout, timeoutMsg: `${testId} never appeared` });
  return el;
}

/** Clicks through JavaScript: Fluent draws its own controls over transparent inputs. */
export async function press(browser, el) {
  await browser.execute((node) => node.click(), el);
}

/** Starts demo mode ("Try with the simulator") and waits for the demo token. */
export async function startDemo(browser) {
  await (await shown(browser, "nav-tokens")).click();
  await (await shown(browser, "try-simulator")).click();
  const row = await browser.$('[data-token-row="Simulator — Contoso Demo"]');
  await row.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the demo token never appeared" });
}
