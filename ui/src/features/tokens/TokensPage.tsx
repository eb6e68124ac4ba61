import { Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { Add20Regular, Beaker20Regular, KeyMultiple20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, useTokenList } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { PATHS, TOKEN_PATHS } from "../../app/paths";
import { useCan } from "../../app/session";
import { navigate, useHashPath } from "../../app/router";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { NotForYourRole } from "../../components/NotForYourRole";
import { Page } from "../../components/Page";
import { AddTokenWizard } from "./add/AddTokenWizard";
import { TokenDetailPage } from "./TokenDetailPage";
import { TokenTable } from "./TokenTable";

const useStyles = makeStyles({
  paragraph: {
    margin: 0,
  },
  emptyActions: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
    justifyContent: "center",
  },
});

/** `/tokens` is the list; `/tokens/add` the wizard; `/tokens/<id>` one token. */
export function TokensPage() {
  const path = useHashPath();
  const canManage = useCan("manage");
  const rest = path.slice(PATHS.tokens.length + 1);
  if (rest === "") return <TokenListPage />;
  if (path === TOKEN_PATHS.add) {
    // A bookmark to the wizard, for someone whose role cannot add tokens.
    return canManage ? (
      <AddTokenWizard />
    ) : (
      <NotForYourRole title="Add enrollment program token" what="add tokens" back={PATHS.tokens} />
    );
  }
  return <TokenDetailPage id={decodeURIComponent(rest)} />;
}

function AddTokenButton() {
  return (
    <Button
      appearance="primary"
      icon={<Add20Regular />}
      onClick={() => navigate(TOKEN_PATHS.add)}
      data-testid="add-token"
    >
      Add token
    </Button>
  );
}

function TokenListPage() {
  const styles = useStyles();
  const client = useQueryClient();
  const list = useTokenList();
  const hasTokens = list.isSuccess && list.data.tokens.length > 0;
  // Adding tokens and the demo are an administrator's (the server refuses others).
  const canManage = useCan("manage");
  const demo = useMutation({
    mutationFn: () => call("demo.start", {}),
    onSuccess: () => refreshAfter(client, "token"),
  });

  return (
    <Page
      testId="tokens"
      title="Enrollment program tokens"
      description="Each token connects Depot to one MDM server in Apple Business Manager or Apple School Manager."
      actions={hasTokens && canManage ? <AddTokenButton /> : undefined}
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
          actions={
            !canManage ? (
              <p className={styles.paragraph} data-testid="tokens-ask-admin">
                Ask a Depot administrator to add one.
              </p>
            ) : demo.isPending ? (
              <Spinner
                size="small"
                labelPosition="after"
                label="Creating a demo token…"
                data-testid="demo-progress"
              />
            ) : (
              <>
                <div className={styles.emptyActions}>
                  <AddTokenButton />
                  <Button
                    icon={<Beaker20Regular />}
                    onClick={() => demo.mutate()}
                    data-testid="try-simulator"
                  >
                    Try with the simulator
                  </Button>
                </div>
                {demo.isError ? (
                  <ErrorState title="Couldn't start the demo" error={demo.error} />
                ) : null}
              </>
            )
          }
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
          <p className={styles.paragraph}>
            No Apple account at hand? <strong>Try with the simulator</strong>: Depot starts its
            built-in stand-in for Apple and adds a demo token with a few thousand made-up devices,
            clearly marked as <em>Simulator</em>.
          </p>
        </EmptyState>
      )}
    </Page>
  );
}
