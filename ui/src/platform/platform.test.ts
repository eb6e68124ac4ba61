import { afterEach, describe, expect, it, vi } from "vitest";
import { RpcError, host, rpc, setHost, setTransport } from ".";
import type { ChangeEvent } from "../bindings/ChangeEvent";
import { createEventSourceChanges } from "./events";
import { createHttpTransport } from "./http";
import { createHttpSession } from "./session";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

type Call = { url: string; init: RequestInit | undefined };

function urlOf(input: RequestInfo | URL | undefined): string {
  if (input === undefined) return "";
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

function fakeFetch(respond: () => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchFn = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: urlOf(input), init });
    return Promise.resolve().then(respond);
  }) as typeof fetch;
  return { fetchFn, calls };
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    return error as RpcError;
  }
  throw new Error("expected the call to fail");
}

describe("http transport", () => {
  it("POSTs {name, payload} to /api/v1/rpc with the cookie and the CSRF header", async () => {
    const { fetchFn, calls } = fakeFetch(() => Response.json({ tokens: [] }));
    const send = createHttpTransport("http://127.0.0.1:7777/", fetchFn);
    await expect(send("tokens.list", {})).resolves.toEqual({ tokens: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("http://127.0.0.1:7777/api/v1/rpc");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(calls[0]?.init?.credentials).toBe("same-origin");
    const headers = new Headers(calls[0]?.init?.headers);
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("x-depot-request")).toBe("1");
    expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({
      name: "tokens.list",
      payload: {},
    });
  });

  it("talks to its own origin by default", async () => {
    const { fetchFn, calls } = fakeFetch(() => Response.json({}));
    await createHttpTransport(undefined, fetchFn)("workspace.info", undefined);
    expect(calls[0]?.url).toBe("/api/v1/rpc");
    expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({
      name: "workspace.info",
      payload: {},
    });
  });

  it("turns a non-2xx ApiError body into an RpcError with the same code and message", async () => {
    const { fetchFn } = fakeFetch(() =>
      Response.json(
        { code: "WORKSPACE_UNAVAILABLE", message: "Workspace is locked." },
        { status: 503 },
      ),
    );
    const error = await rejection(createHttpTransport("", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("WORKSPACE_UNAVAILABLE");
    expect(error.message).toBe("Workspace is locked.");
  });

  it("says when the session has ended (401), and when the role refused a call (403)", async () => {
    const ended: string[] = [];
    let refusals = 0;
    const forbidden = fakeFetch(() =>
      Response.json({ code: "FORBIDDEN", message: "a read-only may not" }, { status: 403 }),
    );
    const refused = await rejection(
      createHttpTransport(
        "",
        forbidden.fetchFn,
        (m) => ended.push(m),
        () => (refusals += 1),
      )("tokens.delete", {}),
    );
    expect(refused.code).toBe("FORBIDDEN");
    expect(ended).toEqual([]);
    expect(refusals).toBe(1);
    const expired = fakeFetch(() =>
      Response.json(
        { code: "UNAUTHENTICATED", message: "the session has expired; sign in again" },
        { status: 401 },
      ),
    );
    const error = await rejection(
      createHttpTransport("", expired.fetchFn, (m) => ended.push(m))("tokens.list", {}),
    );
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(ended).toEqual(["the session has expired; sign in again"]);
  });

  it("reports a non-2xx answer without an ApiError body as INTERNAL with the status", async () => {
    const { fetchFn } = fakeFetch(() => new Response("<html>Not Found</html>", { status: 404 }));
    const error = await rejection(createHttpTransport("", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("HTTP 404");
  });

  it("reports an unreachable server as INTERNAL, naming where it looked", async () => {
    const { fetchFn } = fakeFetch(() => Promise.reject(new TypeError("Failed to fetch")));
    const error = await rejection(
      createHttpTransport("http://127.0.0.1:9", fetchFn)("workspace.info", {}),
    );
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("http://127.0.0.1:9");
  });

  it("rejects a 2xx answer that is not JSON", async () => {
    const { fetchFn } = fakeFetch(() => new Response("<!doctype html>", { status: 200 }));
    const error = await rejection(createHttpTransport("", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("INTERNAL");
  });
});

describe("http session", () => {
  const me = {
    name: "ana",
    role: "help-desk",
    scopeTags: ["Berlin"],
    actions: ["read", "export", "assign", "sync"],
  };

  it("asks who is signed in; a 401 is nobody", async () => {
    const signedIn = fakeFetch(() => Response.json(me));
    await expect(createHttpSession("", signedIn.fetchFn).current()).resolves.toEqual(me);
    expect(signedIn.calls[0]?.url).toBe("/api/v1/session");
    expect(signedIn.calls[0]?.init?.method).toBe("GET");
    expect(signedIn.calls[0]?.init?.credentials).toBe("same-origin");
    const nobody = fakeFetch(() =>
      Response.json({ code: "UNAUTHENTICATED", message: "sign in first" }, { status: 401 }),
    );
    await expect(createHttpSession("", nobody.fetchFn).current()).resolves.toBeNull();
  });

  it("signs in with the user name and password, then reads the role's actions", async () => {
    let call = 0;
    const { fetchFn, calls } = fakeFetch(() =>
      call++ === 0 ? Response.json({ token: "t", user: { name: "ana" } }) : Response.json(me),
    );
    await expect(createHttpSession("", fetchFn).signIn("ana", "pw")).resolves.toEqual(me);
    expect(calls[0]?.init?.method).toBe("POST");
    expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({ username: "ana", password: "pw" });
    expect(calls[1]?.init?.method).toBe("GET");
  });

  it("passes the server's reason on: a wrong password, too many tries", async () => {
    for (const [status, code, message] of [
      [401, "UNAUTHENTICATED", "the user name or password is not right"],
      [429, "LIMIT_REACHED", "too many failed sign-ins; try again in 15 minutes"],
    ] as const) {
      const { fetchFn } = fakeFetch(() => Response.json({ code, message }, { status }));
      const error = await rejection(createHttpSession("", fetchFn).signIn("ana", "nope"));
      expect([error.code, error.message]).toEqual([code, message]);
    }
  });

  it("finds the identity provider sign-in when the server has one", async () => {
    const on = fakeFetch(() => Response.json({ enabled: true, loginUrl: "/api/v1/oidc/login" }));
    await expect(createHttpSession("", on.fetchFn).identityProvider?.()).resolves.toBe(
      "/api/v1/oidc/login",
    );
    expect(on.calls[0]?.url).toBe("/api/v1/oidc");
    const off = fakeFetch(() => Response.json({ enabled: false, loginUrl: null }));
    await expect(createHttpSession("", off.fetchFn).identityProvider?.()).resolves.toBeNull();
  });

  it("signs out with DELETE", async () => {
    const { fetchFn, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    await createHttpSession("", fetchFn).signOut();
    expect(calls[0]?.init?.method).toBe("DELETE");
    expect(new Headers(calls[0]?.init?.headers).get("x-depot-request")).toBe("1");
  });
});

describe("server-sent changes", () => {
  class FakeStream {
    readyState = 0;
    closed = false;
    listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
    addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    emit(type: string, data = "") {
      for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data }));
    }
    close() {
      this.closed = true;
      this.readyState = 2;
    }
  }

  it("hands on each change as the desktop shell does, and refreshes everything after a gap", async () => {
    const streams: FakeStream[] = [];
    const urls: string[] = [];
    const source = createEventSourceChanges("/api/v1/events", (url) => {
      urls.push(url);
      const s = new FakeStream();
      streams.push(s);
      return s;
    });
    const seen: ChangeEvent[] = [];
    const stop = source((change) => seen.push(change));
    const first = streams[0];
    expect(urls).toEqual(["/api/v1/events"]);
    first?.emit("open");
    first?.emit("change", JSON.stringify({ kind: "syncProgress", tokenId: "3", runId: null }));
    first?.emit("change", "not json");
    first?.emit("lagged", "{}");
    expect(seen).toEqual([
      { kind: "syncProgress", tokenId: "3", runId: null },
      { kind: "syncFinished", tokenId: "", runId: null },
    ]);

    // The server closed the stream (e.g. a restart answered an error): open it again.
    if (first) first.readyState = 2;
    first?.emit("error");
    await vi.waitFor(() => expect(streams).toHaveLength(2));
    streams[1]?.emit("open");
    expect(seen).toHaveLength(3);
    expect(seen[2]).toEqual({ kind: "syncFinished", tokenId: "", runId: null });
    // The browser reconnecting by itself (still CONNECTING) is a gap too.
    streams[1]?.emit("error");
    streams[1]?.emit("open");
    expect(seen).toHaveLength(4);
    expect(streams).toHaveLength(2);

    stop();
    expect(streams[1]?.closed).toBe(true);
  });
});

describe("rpc", () => {
  afterEach(() => {
    setTransport(null);
    delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
    invoke.mockReset();
  });

  it("uses an injected transport", async () => {
    const seen: unknown[] = [];
    setTransport((name, payload) => {
      seen.push([name, payload]);
      return Promise.resolve({ ok: true });
    });
    await expect(rpc("workspace.info", {})).resolves.toEqual({ ok: true });
    expect(seen).toEqual([["workspace.info", {}]]);
  });

  it("normalises whatever a transport rejects with into an RpcError", async () => {
    setTransport(() => Promise.reject(new Error("boom")));
    expect(await rejection(rpc("x", {}))).toMatchObject({ code: "INTERNAL", message: "boom" });

    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Tauri rejects with plain values
    setTransport(() => Promise.reject({ code: "SCHEMA_TOO_NEW", message: "too new" }));
    expect(await rejection(rpc("x", {}))).toMatchObject({
      code: "SCHEMA_TOO_NEW",
      message: "too new",
    });

    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Tauri rejects with plain values
    setTransport(() => Promise.reject("command rpc not found"));
    expect(await rejection(rpc("x", {}))).toMatchObject({
      code: "INTERNAL",
      message: "command rpc not found",
    });
  });

  it("goes through Tauri's single rpc command inside the desktop shell", async () => {
    (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ = {};
    invoke.mockResolvedValue({ tokens: [] });
    await expect(rpc("tokens.list", {})).resolves.toEqual({ tokens: [] });
    expect(invoke).toHaveBeenCalledWith("rpc", { name: "tokens.list", payload: {} });
  });

  it("passes the shell's ApiError through as an RpcError", async () => {
    (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ = {};
    invoke.mockRejectedValue({ code: "UNKNOWN_COMMAND", message: "No command named x." });
    expect(await rejection(rpc("x", {}))).toMatchObject({ code: "UNKNOWN_COMMAND" });
  });

  it("uses HTTP outside the shell", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ ok: 1 }));
    await expect(rpc("workspace.info", {})).resolves.toEqual({ ok: 1 });
    expect(invoke).not.toHaveBeenCalled();
    expect(urlOf(fetchSpy.mock.calls[0]?.[0])).toBe("/api/v1/rpc");
  });
});

describe("desktop host", () => {
  afterEach(() => {
    delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
    invoke.mockReset();
  });

  it("gets a picked token file's contents from the shell, never its path", async () => {
    (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ = {};
    const file = { kind: "contents", fileName: "server_token.p7m", contents: "MIME-Version: 1.0" };
    invoke.mockResolvedValue(file);
    await expect(host().pickTokenFile()).resolves.toEqual(file);
    expect(invoke).toHaveBeenCalledWith("open_token_file", {});
  });

  it("hands the shell contents to save; the admin picks where in its dialog", async () => {
    (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ = {};
    invoke.mockResolvedValue("/home/admin/devices.csv");
    const saved = await host().saveFile({
      fileName: "devices.csv",
      filterName: "CSV file",
      extensions: ["csv"],
      mimeType: "text/csv",
      contents: "serial\n",
    });
    expect(saved).toEqual({ savedTo: "/home/admin/devices.csv", download: false });
    expect(invoke).toHaveBeenCalledWith("save_file", {
      request: {
        fileName: "devices.csv",
        filterName: "CSV file",
        extensions: ["csv"],
        contents: "serial\n",
      },
    });

    invoke.mockResolvedValue(null);
    await expect(
      host().saveFilesToFolder("Choose", [{ name: "README.txt", contents: "hi" }]),
    ).resolves.toBeNull();
    expect(invoke).toHaveBeenLastCalledWith("save_files", {
      request: { title: "Choose", files: [{ name: "README.txt", contents: "hi" }] },
    });
  });
});

describe("browser host", () => {
  afterEach(() => setHost(null));

  it("reads a picked .p7m into a contents token file", async () => {
    const picking = host().pickTokenFile();
    const input = document.querySelector<HTMLInputElement>('input[type="file"]');
    expect(input).not.toBeNull();
    expect(input?.accept).toBe(".p7m");
    const file = new File(["MIME-Version: 1.0\n"], "Sales_Token.p7m", {
      type: "application/pkcs7-mime",
    });
    Object.defineProperty(input, "files", { value: [file] });
    input?.dispatchEvent(new Event("change"));
    await expect(picking).resolves.toEqual({
      kind: "contents",
      fileName: "Sales_Token.p7m",
      contents: "MIME-Version: 1.0\n",
    });
    expect(document.querySelector('input[type="file"]')).toBeNull();
  });

  it("resolves null when the file dialog is cancelled", async () => {
    const picking = host().pickTokenFile();
    document.querySelector('input[type="file"]')?.dispatchEvent(new Event("cancel"));
    await expect(picking).resolves.toBeNull();
  });

  it("has no save dialog, so a saved file becomes a download", async () => {
    expect(host().nativeDialogs).toBe(false);
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    await expect(
      host().saveFile({
        fileName: "a.csv",
        filterName: "CSV",
        extensions: ["csv"],
        mimeType: "text/csv",
        contents: "x",
      }),
    ).resolves.toEqual({ savedTo: "a.csv", download: true });
    expect(click).toHaveBeenCalledTimes(1);
  });

  it("reads every picked file's bytes, and has no folder dialog", async () => {
    const picking = host().pickFiles(".cer,.pem", true);
    const input = document.querySelector<HTMLInputElement>('input[type="file"]');
    expect(input?.accept).toBe(".cer,.pem");
    expect(input?.multiple).toBe(true);
    const files = [new File([new Uint8Array([0x30, 0x82])], "a.cer"), new File(["PEM"], "b.pem")];
    Object.defineProperty(input, "files", { value: files });
    input?.dispatchEvent(new Event("change"));
    const picked = await picking;
    expect(picked.map((f) => [f.name, [...f.bytes]])).toEqual([
      ["a.cer", [0x30, 0x82]],
      ["b.pem", [0x50, 0x45, 0x4d]],
    ]);
    expect(document.querySelector('input[type="file"]')).toBeNull();
    await expect(host().saveFilesToFolder("Choose a folder", [])).resolves.toBeNull();
  });

  it("picks no files when the dialog is cancelled", async () => {
    const picking = host().pickFiles(".json", false);
    document.querySelector('input[type="file"]')?.dispatchEvent(new Event("cancel"));
    await expect(picking).resolves.toEqual([]);
  });

  it("lets tests replace parts of the host", () => {
    const openExternal = vi.fn(() => Promise.resolve());
    setHost({ openExternal });
    void host().openExternal("https://business.apple.com/");
    expect(openExternal).toHaveBeenCalledWith("https://business.apple.com/");
    expect(host().nativeDialogs).toBe(false);
  });
});
