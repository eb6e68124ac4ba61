import { Button, Caption1, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { Add20Regular, KeyMultiple20Regular } from "@fluentui/react-icons";
import { useId } from "react";
import { useTokenList } from "../../app/api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { TokenTable } from "./TokenTable";

const ADD_TOKEN_UNAVAILABLE = "Adding a token is not available in this version of Depot yet.";

const useStyles = makeStyles({
  hint: {
    color: tokens.colorNeutralForeground3,
  },
  paragraph: {
    margin: 0,
  },
  toolbar: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
  },
});

/**
 * "Add token" stays visible so admins know where the flow will live, but it is
 * disabled (still focusable, so keyboard and screen-reader users learn why).
 */
function AddTokenButton({ showHint }: { showHint: boolean }) {
  const styles = useStyles();
  const hintId = useId();
  return (
    <>
      <Tooltip content={ADD_TOKEN_UNAVAILABLE} relationship="inaccessible">
        <Button
          appearance="primary"
          icon={<Add20Regular />}
          disabledFocusable
          aria-describedby={hintId}
          data-testid="add-token"
        >
          Add token
        </Button>
      </Tooltip>
      <Caption1 id={hintId} className={styles.hint} hidden={!showHint}>
        {ADD_TOKEN_UNAVAILABLE}
      </Caption1>
    </>
  );
}

export function TokensPage() {
  const styles = useStyles();
  const list = useTokenList();
  const hasTokens = list.isSuccess && list.data.tokens.length > 0;

  return (
    <Page
      testId="tokens"
      title="Enrollment program tokens"
      description="Each token connects Depot to one MDM server in Apple Business Manager or Apple School Manager."
      actions={
        hasTokens ? (
          <div className={styles.toolbar}>
            <AddTokenButton showHint={false} />
          </div>
        ) : undefined
      }
    >
      {list.isPending ? (
        <LoadingState label="Loading tokens…" />
      ) : list.isError ? (
        <ErrorState
          title="Couldn't load enrollment program tokens"
          error={list.error}
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : hasTokens ? (
        <TokenTable tokens={list.data.tokens} />
      ) : (
        <EmptyState
          testId="tokens-empty"
          icon={<KeyMultiple20Regular />}
          title="No enrollment program tokens yet"
          actions={<AddTokenButton showHint />}
        >
          <p className={styles.paragraph}>
            An enrollment program token is what lets Depot work with Automated Device Enrollment. It
            belongs to one MDM server that you create in Apple Business Manager or Apple School
            Manager. Through it, Depot learns which of your organisation&apos;s devices Apple has
            assigned to that server, uploads enrollment profiles, and chooses the settings each
            device gets the first time it is switched on.
          </p>
          <p className={styles.paragraph}>
            To add one, Depot creates a public key, you upload it to Apple&apos;s portal and
            download the token file it issues, and then you bring that file back to Depot. Tokens
            are valid for a year and are renewed the same way.
          </p>
        </EmptyState>
      )}
    </Page>
  );
}
