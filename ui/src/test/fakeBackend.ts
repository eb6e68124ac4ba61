import type { ApiError } from "../bindings/ApiError";
import type { CommandName, Commands } from "../bindings/commands";
import type { Transport } from "../platform";

export type Handlers = {
  [N in CommandName]?: (request: Commands[N]["request"]) => Commands[N]["response"] | ApiError;
};

type FakeBackend = {
  transport: Transport;
  /** Every command the UI sent, in order. */
  calls: { name: string; payload: unknown }[];
};

/** Marks a handler result as a failure: the transport rejects with it, like the real one. */
export function failure(code: ApiError["code"], message: string): ApiError & { __failure: true } {
  return { code, message, __failure: true };
}

/** Rejects with a plain `{ code, message }` object, as Tauri's `invoke` does. */
function reject(error: ApiError): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- mirrors the real transport
  return Promise.reject(error);
}

/**
 * A scripted backend for UI tests. Commands without a handler reject with
 * UNKNOWN_COMMAND, exactly what the real dispatcher does for a name it lacks.
 */
export function fakeBackend(handlers: Handlers): FakeBackend {
  const calls: FakeBackend["calls"] = [];
  const transport: Transport = (name, payload) => {
    calls.push({ name, payload });
    const handler = (handlers as Record<string, ((req: unknown) => unknown) | undefined>)[name];
    if (!handler) {
      return reject({ code: "UNKNOWN_COMMAND", message: `No command named "${name}".` });
    }
    const result = handler(payload);
    if (typeof result === "object" && result !== null && "__failure" in result) {
      const { code, message } = result as unknown as ApiError;
      return reject({ code, message });
    }
    return Promise.resolve(result);
  };
  return { transport, calls };
}
