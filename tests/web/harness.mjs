// A real `depot serve` on loopback with a private temporary workspace, and
// Debian's Chromium driven by playwright-core, for node:test suites.
//
// DEPOT_BINARY: the `depot` binary (default: the repository's target/debug/depot).
// DEPOT_UI_DIR: the built UI it serves (default: the repository's ui/dist).
// CHROMIUM: the browser (default: /usr/bin/chromium). Nothing is downloaded.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
export const screenshotDir = join(here, "screenshots");

/** Every account the suites use has this password. */
export const PASSWORD = "correct horse battery staple";

function depotBinary() {
  const candidates = [
    process.env.DEPOT_BINARY,
    process.env.CARGO_TARGET_DIR &&
      join(process.env.CARGO_TARGET_DIR, "debug/depot"),
    join(root, "target/debug/depot"),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  assert.ok(
    found,
    `no depot binary (looked at ${candidates.join(", ")}): cargo build -p depot-cli`,
  );
  return found;
}

function uiDir() {
  const dir = process.env.DEPOT_UI_DIR || join(root, "ui/dist");
  assert.ok(
    existsSync(join(dir, "index.html")),
    `no built UI in ${dir}: cd ui && npm run build`,
  );
  return dir;
}

/**
 * Starts `depot serve` on 127.0.0.1 (a free port) with a new workspace and
 * the given accounts: `{ name: role }`, and any further `serve` arguments and
 * environment. Returns { url, stop, depot } (`depot(...args)` runs the command line on its workspace).
 */
export async function startServer(
  accounts,
  { args = [], env: extraEnv = {} } = {},
) {
  const home = mkdtempSync(join(tmpdir(), "depot-web-"));
  const workspace = join(home, "ws");
  const binary = depotBinary();
  // Never the machine's own workspace, keychain or settings.
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    DEPOT_KEY_FILE: join(home, "workspace.key"),
    DEPOT_LOG: "error",
    ...extraEnv,
  };
  delete env.DEPOT_WORKSPACE;
  /** Runs the `depot` command line on the served workspace (as its owner would on the server). */
  const depot = (...args) => {
    const run = spawnSync(binary, ["--workspace", workspace, ...args], {
      env,
      input: `${PASSWORD}\n`,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `depot ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  };
  for (const [name, role] of Object.entries(accounts)) {
    depot("users", "add", name, "--role", role, "--password-stdin");
  }
  const child = spawn(
    binary,
    [
      "--workspace",
      workspace,
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--ui-dir",
      uiDir(),
      ...args,
    ],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  // Should the test process die before `stop`, the server goes with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const lines = createInterface({ input: child.stdout });
  const started = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error("depot serve did not start in 30 s")),
      30_000,
    );
    child.once("exit", (code) =>
      reject(new Error(`depot serve exited with ${code}`)),
    );
    lines.on("line", (line) => {
      const match =
        /^Depot server listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(
          line.trim(),
        );
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
  });
  let url;
  try {
    url = await started;
  } catch (error) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    lines.close();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    process.off("exit", killOnExit);
    lines.close();
    rmSync(home, { recursive: true, force: true });
  };
  return { url, stop, depot };
}

/** Debian's Chromium, headless, in US English and UTC whatever the machine says. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  assert.ok(
    existsSync(executablePath),
    `no Chromium at ${executablePath}: apt-get install chromium`,
  );
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--lang=en-US",
    ],
  });
  return browser;
}

/** A fresh page (its own cookies) on the server, with what it logs kept for failures. */
export async function openPage(browser, url) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: "light",
    acceptDownloads: true,
  });
  // Counts the change events the page's EventSource receives (window.__depotChanges).
  await context.addInitScript(() => {
    const Native = window.EventSource;
    window.__depotChanges = 0;
    window.EventSource = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener("change", () => {
          window.__depotChanges += 1;
        });
      }
    };
  });
  const page = await context.newPage();
  // Script errors in the page: a test that ends with any has found a bug. (The
  // console's "failed to load resource: 401" lines are the expected refusals.)
  const problems = [];
  page.on("pageerror", (error) =>
    problems.push(`page error: ${error.message}`),
  );
  // Only the server on loopback: anything else would be a bug (and is not reachable).
  await context.route(
    (target) => !target.href.startsWith(url),
    (route) => route.abort(),
  );
  await page.goto(url);
  return { page, context, problems };
}

/** The element with this data-testid. */
export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** Signs in through the sign-in page and waits for the app. */
export async function signIn(page, name, password = PASSWORD) {
  await byTestId(page, "signin-username").fill(name);
  await byTestId(page, "signin-password").fill(password);
  await byTestId(page, "signin-submit").click();
}

/** Saves a PNG of the page under tests/web/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // Let Fluent's transitions settle.
  await page.waitForTimeout(300);
  const file = join(screenshotDir, `${name}.png`);
  writeFileSync(file, await page.screenshot());
  return file;
}
