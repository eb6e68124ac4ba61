import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Link,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSync20Regular, Delete20Regular } from "@fluentui/react-icons";
import { TOKEN_PATHS } from "../../app/paths";
import type { OrgAccountDto } from "../../bindings/OrgAccountDto";
import { Facts } from "../../components/Facts";
import { formatCount, formatDateTime } from "../../components/format";

const useStyles = makeStyles({
  card: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  title: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
  actions: { display: "flex", gap: tokens.spacingHorizontalS },
  servers: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

export const KIND_LABEL: Record<string, string> = {
  business: "Apple Business Manager",
  school: "Apple School Manager",
};

type AccountCardProps = {
  account: OrgAccountDto;
  canSync: boolean;
  canManage: boolean;
  syncing: boolean;
  onSync: () => void;
  onRemove: () => void;
};

/** One API account: what it is, when it last synced, its devices and its MDM servers. */
export function AccountCard({
  account,
  canSync,
  canManage,
  syncing,
  onSync,
  onRemove,
}: AccountCardProps) {
  const styles = useStyles();
  const id = account.id;
  return (
    <Card className={styles.card} data-testid={`org-account-${id}`}>
      <div className={styles.header}>
        <div className={styles.title}>
          <Subtitle2 as="h3">{account.name}</Subtitle2>
          <Badge appearance="tint" color="informative" data-testid={`org-account-kind-${id}`}>
            {KIND_LABEL[account.kind] ?? account.kind}
          </Badge>
          {account.apiUrl !== "apple" ? (
            <Badge appearance="tint" color="warning">
              Simulator
            </Badge>
          ) : null}
        </div>
        <div className={styles.actions}>
          {canSync ? (
            <Button
              icon={<ArrowSync20Regular />}
              onClick={onSync}
              disabled={syncing}
              data-testid={`org-sync-${id}`}
            >
              {syncing ? "Syncing…" : "Sync now"}
            </Button>
          ) : null}
          {canManage ? (
            <Button icon={<Delete20Regular />} onClick={onRemove} data-testid={`org-remove-${id}`}>
              Remove
            </Button>
          ) : null}
        </div>
      </div>
      <Facts
        facts={[
          { label: "Client ID", value: account.clientId, mono: true, testId: `org-client-${id}` },
          { label: "Key ID", value: account.keyId, mono: true, testId: `org-key-${id}` },
          {
            label: "Last sync",
            value: account.lastSyncAt === null ? "Never" : formatDateTime(account.lastSyncAt),
            testId: `org-last-sync-${id}`,
          },
          {
            label: "Next automatic sync",
            value: formatDateTime(account.nextSyncAt),
            testId: `org-next-sync-${id}`,
          },
          {
            label: "Devices",
            value: `${formatCount(account.devices)} in total · ${formatCount(account.assigned)} assigned · ${formatCount(account.unassigned)} unassigned · ${formatCount(account.released)} released`,
            testId: `org-counts-${id}`,
          },
        ]}
      />
      {account.lastError !== null ? (
        <MessageBar intent="error" layout="multiline" data-testid={`org-last-error-${id}`}>
          <MessageBarBody>
            {account.failingSince !== null
              ? `Reading the organisation has failed since ${formatDateTime(account.failingSince)}: `
              : "The last sync failed: "}
            {account.lastError}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div>
        <Body1>
          <strong>MDM servers</strong>
        </Body1>
        {account.servers.length === 0 ? (
          <Caption1 className={styles.muted}>
            No MDM servers yet{account.lastSyncAt === null ? " (not synced yet)" : ""}.
          </Caption1>
        ) : (
          <ul className={styles.servers}>
            {account.servers.map((server) => (
              <li key={server.id} data-testid={`org-server-${server.id}`}>
                {server.tokenId !== null ? (
                  <Link href={`#${TOKEN_PATHS.detail(server.tokenId)}`}>{server.name}</Link>
                ) : (
                  <span>{server.name}</span>
                )}{" "}
                <Caption1 className={styles.muted}>
                  {server.serverType} · {formatCount(server.devices)}{" "}
                  {server.devices === 1 ? "device" : "devices"}
                  {server.tokenId === null ? " · No Depot token" : ""}
                </Caption1>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
