import { Button, Link } from "@fluentui/react-components";
import { isApiError } from "../../app/api";
import { hrefTo } from "../../app/paths";
import { ErrorAlert } from "../../components/ErrorState";
import { tokenFileHelp } from "./tokenErrors";

type TokenFileErrorProps = {
  error: unknown;
  /** Offered for errors fixed at the public key step. */
  onKeyStep?: () => void;
  testId?: string;
};

/** A token-file failure: what happened in the admin's words, what to do, and the backend's facts. */
export function TokenFileError({
  error,
  onKeyStep,
  testId = "token-file-error",
}: TokenFileErrorProps) {
  const code = isApiError(error) ? error.code : undefined;
  const message = error instanceof Error || isApiError(error) ? error.message : String(error);
  const help = tokenFileHelp(code);
  return (
    <ErrorAlert
      title={help.title}
      code={code}
      testId={testId}
      actions={
        help.action === "keyStep" && onKeyStep ? (
          <Button onClick={onKeyStep} data-testid="go-to-key-step">
            Go to the public key step
          </Button>
        ) : help.action === "tokenList" ? (
          <Link href={hrefTo("tokens")} data-testid="go-to-token-list">
            Open the token list
          </Link>
        ) : null
      }
    >
      <span data-testid="token-file-error-advice">{help.advice}</span>
      <span data-testid="error-message">{message}</span>
    </ErrorAlert>
  );
}
