import {
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise20Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import type { ErrorCode } from "../bindings/ErrorCode";
import { isApiError } from "../platform";

/** What the admin can do about each kind of failure; the UI branches on the code, never on text. */
function adviceFor(code: ErrorCode | undefined): string {
  switch (code) {
    case "WORKSPACE_UNAVAILABLE":
      return "Depot could not open its workspace database. Check that the folder exists and is writable, then retry.";
    case "SCHEMA_TOO_NEW":
      return "This workspace was last opened by a newer version of Depot. Install that version or later to use it.";
    case "UNKNOWN_COMMAND":
    case "BAD_REQUEST":
      return "This window and Depot's backend do not match. Restart Depot; if it persists, reinstall it.";
    case "FORBIDDEN":
      return "Your role on this Depot server does not allow it. Ask an administrator to do it, or to change your role.";
    case "UNAUTHENTICATED":
      return "Sign in again to continue.";
    case "NOT_FOUND":
      // Also what a person is told about something outside their scope tags: no hint it exists.
      return "It may have been deleted, or your account may not see it. Go back to the list and open it from there; ask an administrator if you need it.";
    case "INTERNAL":
    case undefined:
    default:
      return "Retry in a moment. If it keeps failing, restart Depot.";
  }
}

const useStyles = makeStyles({
  details: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  code: {
    color: tokens.colorNeutralForeground3,
  },
});

type ErrorAlertProps = {
  title: ReactNode;
  /** The backend's error code, shown under the details and as `data-error-code`. */
  code: ErrorCode | undefined;
  testId: string;
  /** The lines above the error code. */
  children: ReactNode;
  /** Buttons or links beside the message. */
  actions?: ReactNode;
};

/** The frame every error message shares: title, detail lines, the error code, optional actions. */
export function ErrorAlert({ title, code, testId, children, actions }: ErrorAlertProps) {
  const styles = useStyles();
  return (
    <div role="alert" data-testid={testId} data-error-code={code}>
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          <div className={styles.details}>
            {children}
            {code ? <Caption1 className={styles.code}>Error code: {code}</Caption1> : null}
          </div>
        </MessageBarBody>
        {actions ? <MessageBarActions>{actions}</MessageBarActions> : null}
      </MessageBar>
    </div>
  );
}

type ErrorStateProps = {
  /** What could not be done, e.g. "Couldn't load workspace information". */
  title: string;
  error: unknown;
  onRetry?: () => void;
  retrying?: boolean;
};

export function ErrorState({ title, error, onRetry, retrying = false }: ErrorStateProps) {
  const code = isApiError(error) ? error.code : undefined;
  const message =
    error instanceof Error || isApiError(error) ? error.message : "An unexpected error occurred.";
  return (
    <ErrorAlert
      title={title}
      code={code}
      testId="error-state"
      actions={
        onRetry ? (
          <Button icon={<ArrowClockwise20Regular />} onClick={onRetry} disabled={retrying}>
            {retrying ? "Retrying…" : "Retry"}
          </Button>
        ) : null
      }
    >
      <span data-testid="error-message">{message}</span>
      <span>{adviceFor(code)}</span>
    </ErrorAlert>
  );
}
