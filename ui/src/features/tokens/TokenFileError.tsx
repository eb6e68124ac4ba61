import {
  Button,
  Caption1,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { isApiError } from "../../app/api";
import { hrefTo } from "../../app/paths";
import { tokenFileHelp } from "./tokenErrors";

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
  const styles = useStyles();
  const code = isApiError(error) ? error.code : undefined;
  const message = error instanceof Error || isApiError(error) ? error.message : String(error);
  const help = tokenFileHelp(code);
  return (
    <div role="alert" data-testid={testId} data-error-code={code}>
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{help.title}</MessageBarTitle>
          <div className={styles.details}>
            <span data-testid="token-file-error-advice">{help.advice}</span>
            <span data-testid="error-message">{message}</span>
            {code ? <Caption1 className={styles.code}>Error code: {code}</Caption1> : null}
          </div>
        </MessageBarBody>
        {help.action === "keyStep" && onKeyStep ? (
          <MessageBarActions>
            <Button onClick={onKeyStep} data-testid="go-to-key-step">
              Go to the public key step
            </Button>
          </MessageBarActions>
        ) : help.action === "tokenList" ? (
          <MessageBarActions>
            <Link href={hrefTo("tokens")} data-testid="go-to-token-list">
              Open the token list
            </Link>
          </MessageBarActions>
        ) : null}
      </MessageBar>
    </div>
  );
}
