import { Body1, Button, Link, makeStyles, tokens } from "@fluentui/react-components";
import {
  Add20Regular,
  AppsList20Regular,
  ArrowSync20Regular,
  Open20Regular,
} from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { call, useVppTokenList } from "../../app/api";
import { openExternal } from "../../app/files";
import { refreshAfter } from "../../app/invalidation";
import { useCan } from "../../app/session";
import type { VppToken } from "../../bindings/VppToken";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { AddVppTokenDialog } from "./AddVppTokenDialog";
import { DeleteVppTokenDialog } from "./DeleteVppTokenDialog";
import { RenewVppTokenDialog } from "./RenewVppTokenDialog";
import { VppTable } from "./VppTable";

const BUSINESS_PORTAL = "https://business.apple.com/";
const SCHOOL_PORTAL = "https://school.apple.com/";

const useStyles = makeStyles({
  paragraph: { margin: 0 },
  steps: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    textAlign: "left",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  portals: {
    display: "flex",
    gap: tokens.spacingHorizontalL,
    justifyContent: "center",
    flexWrap: "wrap",
  },
});

type Dialog =
  { kind: "add" } | { kind: "renew"; token: VppToken } | { kind: "delete"; token: VppToken };

/** `/vpp`: the Apps and Books tokens the profiles install the Company Portal with. */
export function VppPage() {
  const client = useQueryClient();
  const list = useVppTokenList();
  const canManage = useCan("manage");
  const canSync = useCan("sync");
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const hasTokens = list.isSuccess && list.data.tokens.length > 0;

  const sync = useMutation({
    mutationFn: (id: string | null) => call("vpp.sync", id === null ? {} : { id }),
    onSuccess: () => refreshAfter(client, "vpp"),
  });
  const syncing = sync.isPending ? (sync.variables ?? "all") : null;

  const close = () => setDialog(null);
  const addButton = (
    <Button
      appearance="primary"
      icon={<Add20Regular />}
      onClick={() => setDialog({ kind: "add" })}
      data-testid="vpp-add"
    >
      Add token
    </Button>
  );

  return (
    <Page
      testId="vpp"
      title="Apps and Books tokens"
      description="Each token gives Depot one Apple Business Manager or Apple School Manager location's app licences, so that profiles can install the Company Portal on devices without an Apple Account."
      actions={
        hasTokens ? (
          <>
            {canSync ? (
              <Button
                icon={<ArrowSync20Regular />}
                onClick={() => sync.mutate(null)}
                disabled={syncing !== null}
                data-testid="vpp-sync-all"
              >
                {syncing === "all" ? "Syncing…" : "Sync all"}
              </Button>
            ) : null}
            {canManage ? addButton : null}
          </>
        ) : undefined
      }
    >
      {sync.isError ? <ErrorState title="Couldn't sync with Apple" error={sync.error} /> : null}
      {list.isPending ? (
        <LoadingState label="Loading Apps and Books tokens…" />
      ) : list.isError ? (
        <ErrorState
          title="Couldn't load Apps and Books tokens"
          error={list.error}
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : hasTokens ? (
        <VppTable
          tokens={list.data.tokens}
          canSync={canSync}
          canManage={canManage}
          syncing={syncing}
          onSync={(id) => sync.mutate(id)}
          onRenew={(token) => setDialog({ kind: "renew", token })}
          onDelete={(token) => setDialog({ kind: "delete", token })}
        />
      ) : (
        <VppEmptyState action={canManage ? addButton : null} />
      )}
      {canManage ? <AddVppTokenDialog open={dialog?.kind === "add"} onClose={close} /> : null}
      {canManage && dialog?.kind === "renew" ? (
        <RenewVppTokenDialog token={dialog.token} onClose={close} />
      ) : null}
      {canManage && dialog?.kind === "delete" ? (
        <DeleteVppTokenDialog token={dialog.token} onClose={close} />
      ) : null}
    </Page>
  );
}

function VppEmptyState({ action }: { action: ReactNode }) {
  const styles = useStyles();
  return (
    <EmptyState
      testId="vpp-empty"
      icon={<AppsList20Regular />}
      title="No Apps and Books tokens yet"
      actions={
        action ?? (
          <p className={styles.paragraph} data-testid="vpp-ask-admin">
            Ask a Depot administrator to add one.
          </p>
        )
      }
    >
      <Body1 className={styles.paragraph}>
        Devices set up with Automated Device Enrollment have no Apple Account yet, so they can only
        get the Company Portal app with a licence your organisation bought through Apple&apos;s Apps
        and Books. An Apps and Books token lets Depot read how many of those licences a location
        has, and lets your profiles name the token to install the app with.
      </Body1>
      <ol className={styles.steps} data-testid="vpp-download-steps">
        <li>Sign in to Apple Business Manager or Apple School Manager.</li>
        <li>
          Open your account menu, choose <strong>Preferences</strong>, then{" "}
          <strong>Payments and Billing</strong>.
        </li>
        <li>
          Under <strong>Apps and Books</strong>, choose <strong>Download</strong> next to the
          location that bought the Company Portal licences. You get a <strong>.vpptoken</strong>{" "}
          file, valid for a year.
        </li>
        <li>Add that file here.</li>
      </ol>
      <div className={styles.portals}>
        <Link as="button" onClick={() => void openExternal(BUSINESS_PORTAL)}>
          <Open20Regular aria-hidden="true" /> Open Apple Business Manager
        </Link>
        <Link as="button" onClick={() => void openExternal(SCHOOL_PORTAL)}>
          <Open20Regular aria-hidden="true" /> Open Apple School Manager
        </Link>
      </div>
    </EmptyState>
  );
}
