import { isApiError } from "../../app/api";
import { ErrorAlert } from "../../components/ErrorState";
import { vppFileHelp } from "./vppErrors";

/** A token-file failure: what happened, what to do, and the backend's own message. */
export function VppFileError({
  error,
  testId = "vpp-file-error",
}: {
  error: unknown;
  testId?: string;
}) {
  const code = isApiError(error) ? error.code : undefined;
  const message = error instanceof Error || isApiError(error) ? error.message : String(error);
  const help = vppFileHelp(code);
  return (
    <ErrorAlert title={help.title} code={code} testId={testId}>
      <span data-testid="error-message">{message}</span>
      <span>{help.advice}</span>
    </ErrorAlert>
  );
}
