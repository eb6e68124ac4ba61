import { afterEach, describe, expect, it, vi } from "vitest";
import { RpcError, host, rpc, setHost, setTransport } from ".";
import { createHttpTransport } from "./http";

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
  it("POSTs the request as JSON to {base}/rpc/{name} and returns the JSON answer", async () => {
    const { fetchFn, calls } = fakeFetch(() => Response.json({ tokens: [] }));
    const send = createHttpTransport("http://127.0.0.1:7777/api/", fetchFn);
    await expect(send("tokens.list", {})).resolves.toEqual({ tokens: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("http://127.0.0.1:7777/api/rpc/tokens.list");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(new Headers(calls[0]?.init?.headers).get("content-type")).toBe("application/json");
    expect(calls[0]?.init?.body).toBe("{}");
  });

  it("turns a non-2xx ApiError body into an RpcError with the same code and message", async () => {
    const { fetchFn } = fakeFetch(() =>
      Response.json(
        { code: "WORKSPACE_UNAVAILABLE", message: "Workspace is locked." },
        { status: 503 },
      ),
    );
    const error = await rejection(createHttpTransport("/api", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("WORKSPACE_UNAVAILABLE");
    expect(error.message).toBe("Workspace is locked.");
  });

  it("reports a non-2xx answer without an ApiError body as INTERNAL with the status", async () => {
    const { fetchFn } = fakeFetch(() => new Response("<html>Not Found</html>", { status: 404 }));
    const error = await rejection(createHttpTransport("/api", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("HTTP 404");
  });

  it("reports an unreachable backend as INTERNAL, naming where it looked", async () => {
    const { fetchFn } = fakeFetch(() => Promise.reject(new TypeError("Failed to fetch")));
    const error = await rejection(
      createHttpTransport("http://127.0.0.1:9/api", fetchFn)("workspace.info", {}),
    );
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("http://127.0.0.1:9/api");
  });

  it("rejects a 2xx answer that is not JSON", async () => {
    const { fetchFn } = fakeFetch(() => new Response("<!doctype html>", { status: 200 }));
    const error = await rejection(createHttpTransport("/api", fetchFn)("workspace.info", {}));
    expect(error.code).toBe("INTERNAL");
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
    expect(urlOf(fetchSpy.mock.calls[0]?.[0])).toMatch(/\/api\/rpc\/workspace\.info$/);
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
