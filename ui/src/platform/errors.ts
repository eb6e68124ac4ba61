import type { ApiError } from "../bindings/ApiError";
import type { ErrorCode } from "../bindings/ErrorCode";

/**
 * The one error type that leaves the platform layer. It is `ApiError`-shaped
 * (`{ code, message }`), so callers branch on `code`, and it is a real `Error`,
 * so error boundaries, TanStack Query and stack traces treat it normally.
 */
export class RpcError extends Error implements ApiError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RpcError";
    this.code = code;
  }
}

/** True for anything carrying a string `code` and `message`, as the backend sends them. */
export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns whatever a transport rejected with into an `RpcError`. */
export function toRpcError(reason: unknown): RpcError {
  if (reason instanceof RpcError) return reason;
  if (isApiError(reason)) return new RpcError(reason.code, reason.message, { cause: reason });
  if (typeof reason === "string" && reason.length > 0) {
    // Tauri rejects with a plain string when the command itself cannot run.
    return new RpcError("INTERNAL", reason, { cause: reason });
  }
  if (reason instanceof Error) return new RpcError("INTERNAL", reason.message, { cause: reason });
  return new RpcError("INTERNAL", "The backend failed without saying why.", { cause: reason });
}
