// The desktop window as a client of a Depot server (issue 14): a real
// `depot serve` on loopback with its own workspace, the real window under
// Xvfb. Settings → Depot server: connect with a name and password, see the
// server's workspace and who the window works as, then switch back to this
// computer's workspace with one click.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { launchApp, screenshot, shown, textMatches } from "./app.mjs";

const PASSWORD = "a long enough secret";
let app;
let serverHome;
let server;
let url;

function depot(args, input) {
  const binary = process.env.DEPOT_BINARY;
  assert.ok(
    binary && existsSync(binary),
    `DEPOT_BINARY must point at the depot CLI (got ${binary})`,
  );
  const out = spawnSync(binary, args, {
    input,
    encoding: "utf8",
    env: { ...process.env, DEPOT_KEY_FILE: join(serverHome, "workspace.key") },
  });
  assert.equal(out.status, 0, `depot ${args.join(" ")}: ${out.stderr}`);
  return out.stdout;
}

before(async () => {
  serverHome = mkdtempSync(join(tmpdir(), "depot-e2e-server-"));
  const ws = join(serverHome, "team-workspace");
  depot(
    [
      "--workspace",
      ws,
      "users",
      "add",
      "ana",
      "--role",
      "help-desk",
      "--password-stdin",
    ],
    `${PASSWORD}\n`,
  );
  server = spawn(
    process.env.DEPOT_BINARY,
    ["--workspace", ws, "serve", "--listen", "127.0.0.1:0"],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        DEPOT_KEY_FILE: join(serverHome, "workspace.key"),
      },
    },
  );
  const lines = createInterface({ input: server.stdout });
  url = await new Promise((resolve, reject) => {
    lines.once("line", (line) => {
      const found = /listening on (\S+)/.exec(line);
      if (found) resolve(found[1]);
      else reject(new Error(`unexpected first line: ${line}`));
    });
    server.once("exit", (code) =>
      reject(new Error(`depot serve exited with ${code}`)),
    );
  });
  app = await launchApp();
});

after(async () => {
  await app?.stop();
  server?.kill("SIGTERM");
  if (serverHome) rmSync(serverHome, { recursive: true, force: true });
});

test("the window connects to a Depot server, works there as the signed-in person, and switches back", async () => {
  const { browser, workspace } = app;
  await (await shown(browser, "nav-settings")).click();
  const localPath = await shown(browser, "settings-workspace-path");
  await textMatches(
    browser,
    localPath,
    new RegExp(workspace.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
  );

  await (await shown(browser, "server-url")).setValue(url);
  await (await shown(browser, "server-username")).setValue("ana");
  await (await shown(browser, "server-password")).setValue("not the password");
  await (await shown(browser, "server-connect")).click();
  const error = await shown(browser, "server-error");
  await textMatches(browser, error, /user name or password/i);

  const password = await shown(browser, "server-password");
  await password.clearValue();
  await password.setValue(PASSWORD);
  await (await shown(browser, "server-connect")).click();
  const connected = await shown(browser, "server-connected", 30_000);
  await textMatches(browser, connected, /ana \(help-desk\)/);
  const topBar = await shown(browser, "topbar-server");
  await textMatches(
    browser,
    topBar,
    /On 127\.0\.0\.1:\d+ as ana \(help-desk\)/,
  );
  // What the window shows now comes from the server's workspace.
  await textMatches(
    browser,
    await shown(browser, "settings-workspace-path"),
    /team-workspace/,
  );
  const shot = await screenshot(browser, "server-connected");
  assert.ok(shot.bytes > 10_000);

  await (await shown(browser, "server-disconnect")).click();
  await shown(browser, "server-connect-form");
  await textMatches(
    browser,
    await shown(browser, "settings-workspace-path"),
    /depot-e2e-/,
  );
  assert.equal(
    await (await browser.$('[data-testid="topbar-server"]')).isExisting(),
    false,
  );
});
