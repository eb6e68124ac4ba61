import { Body1, Button, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { Add20Regular, Building20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { call, useOrgAccounts } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { useCan } from "../../app/session";
import type { OrgAccountDto } from "../../bindings/OrgAccountDto";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { AccountCard } from "./AccountCard";
import { ConnectAccountDialog } from "./ConnectAccountDialog";
import { OrgActivities } from "./OrgActivities";
import { OrgDevices } from "./OrgDevices";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  heading: { margin: 0 },
  accounts: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  paragraph: { margin: 0 },
});

/** `/organisation`: Apple Business/School Manager API accounts, every device, assign/unassign. */
export function OrganisationPage() {
  const styles = useStyles();
  const client = useQueryClient();
  const list = useOrgAccounts();
  const canManage = useCan("manage");
  const canSync = useCan("sync");
  const [connecting, setConnecting] = useState(false);
  const [removing, setRemoving] = useState<OrgAccountDto | null>(null);
  const accounts = list.data?.accounts ?? [];
  const hasAccounts = list.isSuccess && accounts.length > 0;

  const sync = useMutation({
    mutationFn: (id: string) => call("org.sync", { id }),
    onSuccess: () => refreshAfter(client, "org"),
  });
  const remove = useMutation({
    mutationFn: (id: string) => call("org.remove", { id }),
    onSuccess: async () => {
      await refreshAfter(client, "org");
      setRemoving(null);
    },
  });

  const connectButton = (
    <Button
      appearance="primary"
      icon={<Add20Regular />}
      onClick={() => setConnecting(true)}
      data-testid="org-connect"
    >
      Connect an API account
    </Button>
  );

  return (
    <Page
      testId="organisation"
      title="Organisation"
      description="Every device your organisation owns in Apple Business Manager or Apple School Manager, through their API: which MDM server each one is assigned to, and moving them between servers."
      actions={hasAccounts && canManage ? connectButton : undefined}
    >
      {sync.isError ? <ErrorState title="Couldn't sync with Apple" error={sync.error} /> : null}
      {list.isPending ? (
        <LoadingState label="Loading the organisation…" />
      ) : list.isError ? (
        <ErrorState
          title="Couldn't load the organisation"
          error={list.error}
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : hasAccounts ? (
        <>
          <section className={styles.section} aria-labelledby="org-accounts-heading">
            <Subtitle1 as="h2" id="org-accounts-heading" className={styles.heading}>
              API accounts
            </Subtitle1>
            <div className={styles.accounts}>
              {accounts.map((account) => (
                <AccountCard
                  key={account.id}
                  account={account}
                  canSync={canSync}
                  canManage={canManage}
                  syncing={sync.isPending && sync.variables === account.id}
                  onSync={() => sync.mutate(account.id)}
                  onRemove={() => {
                    remove.reset();
                    setRemoving(account);
                  }}
                />
              ))}
            </div>
          </section>
          <section className={styles.section} aria-labelledby="org-devices-heading">
            <Subtitle1 as="h2" id="org-devices-heading" className={styles.heading}>
              Devices
            </Subtitle1>
            <OrgDevices accounts={accounts} />
          </section>
          <section className={styles.section} aria-labelledby="org-activities-heading">
            <Subtitle1 as="h2" id="org-activities-heading" className={styles.heading}>
              Activities
            </Subtitle1>
            <OrgActivities accounts={accounts} />
          </section>
        </>
      ) : (
        <OrgEmptyState action={canManage ? connectButton : null} />
      )}
      {canManage ? (
        <ConnectAccountDialog open={connecting} onClose={() => setConnecting(false)} />
      ) : null}
      {canManage && removing !== null ? (
        <ConfirmDeleteDialog
          onClose={() => setRemoving(null)}
          title={`Remove ${removing.name}?`}
          action={{
            run: () => remove.mutate(removing.id),
            pending: remove.isPending,
            error: remove.error,
            errorTitle: "Couldn't remove the account",
            label: "Remove",
          }}
          testIds={{ dialog: "org-remove-dialog", confirm: "org-remove-confirm" }}
        >
          <Body1>
            Depot forgets this API account, its key and the devices it read. Nothing changes at
            Apple: the devices stay where they are, and the account can be connected again.
          </Body1>
        </ConfirmDeleteDialog>
      ) : null}
    </Page>
  );
}

function OrgEmptyState({ action }: { action: ReactNode }) {
  const styles = useStyles();
  return (
    <EmptyState
      testId="org-empty"
      icon={<Building20Regular />}
      title="No API account connected"
      actions={
        action ?? (
          <p className={styles.paragraph} data-testid="org-ask-admin">
            Ask a Depot administrator to connect one.
          </p>
        )
      }
    >
      <Body1 className={styles.paragraph}>
        An enrollment program token shows Depot only the devices already assigned to its MDM server.
        The Apple Business Manager (or Apple School Manager) API shows every device your
        organisation owns, assigned to a server or not, with its order and AppleCare coverage, and
        lets you move devices between MDM servers from here instead of Apple&apos;s portal.
      </Body1>
      <Body1 className={styles.paragraph}>
        Create an API account in the portal under <strong>Preferences</strong> →{" "}
        <strong>API</strong>, then connect it with its client ID, key ID and private key.
      </Body1>
    </EmptyState>
  );
}
