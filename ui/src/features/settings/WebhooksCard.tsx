import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Add20Regular, Delete20Regular, Send20Regular } from "@fluentui/react-icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError, queryKeys } from "../../app/api";
import { useCan, useServedWorkspace } from "../../app/session";
import type { AlertSeverity } from "../../bindings/AlertSeverity";
import type { WebhookDto } from "../../bindings/WebhookDto";
import type { WebhookFormatDto } from "../../bindings/WebhookFormatDto";
import type { WebhookTestResult } from "../../bindings/WebhookTestResult";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { formatDate, formatDateTime } from "../../components/format";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  explain: { margin: 0, color: tokens.colorNeutralForeground2 },
  tableFrame: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowX: "auto",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  muted: { color: tokens.colorNeutralForeground3 },
  health: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  rowActions: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
  dialogContent: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

const FORMAT_LABELS: Record<WebhookFormatDto, string> = {
  teams: "Microsoft Teams",
  slack: "Slack",
  json: "JSON (Depot's own)",
};

const RECEIVES_LABELS: Record<AlertSeverity, string> = {
  critical: "Critical only",
  warning: "Warnings and critical",
  info: "Everything",
};

/** The webhooks that receive the team's alerts (administrators manage them). */
export function WebhooksCard() {
  const styles = useStyles();
  const canManage = useCan("manage");
  const served = useServedWorkspace();
  const client = useQueryClient();
  const list = useQuery({ queryKey: queryKeys.webhooks, queryFn: () => call("webhooks.list", {}) });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<WebhookDto | null>(null);
  // The last test message: which webhook, and how it went.
  const [tested, setTested] = useState<{ hook: WebhookDto; result: WebhookTestResult } | null>(
    null,
  );

  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.webhooks }),
      client.invalidateQueries({ queryKey: queryKeys.audit }),
    ]);
  const test = useMutation({
    mutationFn: (hook: WebhookDto) => call("webhooks.test", { id: hook.id }),
    onMutate: () => setTested(null),
    onSuccess: async (result, hook) => {
      setTested({ hook, result });
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => call("webhooks.remove", { id }),
    onSuccess: async () => {
      setRemoving(null);
      await refresh();
    },
  });

  // Webhooks carry every token's alerts: an account limited to some tokens
  // is refused them (by the server), so the card says so instead of failing.
  const limited = isApiError(list.error) && list.error.code === "FORBIDDEN";

  return (
    <Card data-testid="settings-webhooks">
      <CardHeader
        header={<Subtitle2 as="h2">Webhooks</Subtitle2>}
        action={
          canManage && !limited ? (
            <Button
              icon={<Add20Regular />}
              onClick={() => setAdding(true)}
              data-testid="webhooks-add"
            >
              Add webhook
            </Button>
          ) : null
        }
      />
      <div className={styles.body}>
        <p className={styles.explain}>
          Alerts reach the team where it works: a Microsoft Teams or Slack channel, or any HTTPS
          endpoint. Each webhook hears when an alert is raised, gets worse or better, and clears;
          snoozed alerts stay quiet. Messages that fail are tried again, and every delivery is in
          the audit log.
        </p>
        {!served ? (
          <MessageBar intent="info" layout="multiline" data-testid="webhooks-desktop-note">
            <MessageBarBody>
              Webhooks are delivered by a Depot server (<code>depot serve</code>) every minute. This
              window shows the desktop app&apos;s own workspace: its webhooks receive alerts while a
              server runs on it. &ldquo;Send test&rdquo; works from here.
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {list.isPending ? (
          <LoadingState label="Loading webhooks…" />
        ) : limited ? (
          <Caption1 className={styles.muted} data-testid="webhooks-limited">
            Webhooks receive the alerts of every token; your account sees only some tokens, so an
            administrator without scope tags manages them.
          </Caption1>
        ) : list.isError ? (
          <ErrorState
            title="Couldn't load the webhooks"
            error={list.error}
            onRetry={() => void list.refetch()}
          />
        ) : list.data.webhooks.length === 0 ? (
          <Caption1 className={styles.muted} data-testid="webhooks-empty">
            No webhooks yet.
            {canManage ? " Add one with the channel's incoming-webhook address." : ""}
          </Caption1>
        ) : (
          <div className={styles.tableFrame}>
            <Table size="small" aria-label="Webhooks" data-testid="webhooks-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Name</TableHeaderCell>
                  <TableHeaderCell>Format</TableHeaderCell>
                  <TableHeaderCell>Receives</TableHeaderCell>
                  <TableHeaderCell>Address</TableHeaderCell>
                  <TableHeaderCell>Last delivery</TableHeaderCell>
                  <TableHeaderCell>Added</TableHeaderCell>
                  {canManage ? <TableHeaderCell>Actions</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.data.webhooks.map((hook) => {
                  const testing = test.isPending && test.variables.id === hook.id;
                  return (
                    <TableRow key={hook.id} data-testid={`webhook-row-${hook.id}`}>
                      <TableCell>
                        <Body1>{hook.name}</Body1>
                      </TableCell>
                      <TableCell>{FORMAT_LABELS[hook.format]}</TableCell>
                      <TableCell>{RECEIVES_LABELS[hook.minSeverity]}</TableCell>
                      <TableCell>
                        <span className={styles.mono}>{hook.urlHint}</span>
                      </TableCell>
                      <TableCell data-testid={`webhook-health-${hook.id}`}>
                        <Delivery hook={hook} />
                      </TableCell>
                      <TableCell>
                        {formatDate(hook.createdAt)}
                        <Caption1 className={styles.muted}> by {hook.createdBy}</Caption1>
                      </TableCell>
                      {canManage ? (
                        <TableCell>
                          <div className={styles.rowActions}>
                            <Button
                              size="small"
                              icon={testing ? <Spinner size="extra-tiny" /> : <Send20Regular />}
                              disabled={testing}
                              onClick={() => test.mutate(hook)}
                              data-testid={`webhook-test-${hook.id}`}
                            >
                              {testing ? "Sending…" : "Send test"}
                            </Button>
                            <Button
                              size="small"
                              icon={<Delete20Regular />}
                              onClick={() => setRemoving(hook)}
                              data-testid={`webhook-remove-${hook.id}`}
                            >
                              Remove
                            </Button>
                          </div>
                        </TableCell>
                      ) : null}
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </div>
        )}
        {tested !== null ? <TestOutcome hook={tested.hook} result={tested.result} /> : null}
        {test.isError ? <ErrorState title="Couldn't send the test" error={test.error} /> : null}
      </div>
      {canManage ? (
        <AddWebhookDialog
          open={adding}
          onClose={() => setAdding(false)}
          onAdded={() => void refresh()}
        />
      ) : null}
      {canManage && removing !== null ? (
        <ConfirmDeleteDialog
          onClose={() => {
            setRemoving(null);
            remove.reset();
          }}
          title={`Remove the webhook ${removing.name}?`}
          action={{
            run: () => remove.mutate(removing.id),
            pending: remove.isPending,
            error: remove.error,
            errorTitle: "Couldn't remove the webhook",
            label: "Remove",
          }}
          testIds={{ dialog: "webhook-remove-dialog", confirm: "webhook-remove-confirm" }}
        >
          <Body1>
            Depot stops sending alerts to this address and forgets it. The channel keeps the
            messages it already received.
          </Body1>
        </ConfirmDeleteDialog>
      ) : null}
    </Card>
  );
}

/** When the webhook last took a message, or since when it fails and why. */
function Delivery({ hook }: { hook: WebhookDto }) {
  const styles = useStyles();
  if (hook.failingSince !== null) {
    return (
      <div className={styles.health}>
        <Badge appearance="tint" color="danger">
          Failing since {formatDateTime(hook.failingSince)}
        </Badge>
        {hook.lastError !== null ? (
          <Caption1 className={styles.muted}>{hook.lastError}</Caption1>
        ) : null}
      </div>
    );
  }
  return hook.lastDeliveredAt === null ? (
    <Caption1 className={styles.muted}>Nothing sent yet</Caption1>
  ) : (
    <>{formatDateTime(hook.lastDeliveredAt)}</>
  );
}

function TestOutcome({ hook, result }: { hook: WebhookDto; result: WebhookTestResult }) {
  return (
    <MessageBar
      intent={result.delivered ? "success" : "error"}
      layout="multiline"
      data-testid={`webhook-test-result-${hook.id}`}
      data-delivered={result.delivered}
    >
      <MessageBarBody>
        {result.delivered
          ? `Test message to ${hook.name} delivered (HTTP ${result.status ?? "?"}).`
          : `Test message to ${hook.name} not delivered: ${result.error ?? "no reason given"}.`}
      </MessageBarBody>
    </MessageBar>
  );
}

type AddWebhookDialogProps = { open: boolean; onClose: () => void; onAdded: () => void };

function AddWebhookDialog({ open, onClose, onAdded }: AddWebhookDialogProps) {
  const styles = useStyles();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<WebhookFormatDto>("teams");
  const [minSeverity, setMinSeverity] = useState<AlertSeverity>("warning");
  const add = useMutation({
    mutationFn: () =>
      call("webhooks.add", { name: name.trim(), url: url.trim(), format, minSeverity }),
    onSuccess: () => {
      onAdded();
      close();
    },
  });
  const close = () => {
    setName("");
    setUrl("");
    setFormat("teams");
    setMinSeverity("warning");
    add.reset();
    onClose();
  };
  const canSubmit = name.trim() !== "" && url.trim() !== "" && !add.isPending;
  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && close()} modalType="modal">
      <DialogSurface data-testid="webhook-add-dialog">
        <DialogBody>
          <DialogTitle>Add a webhook</DialogTitle>
          <DialogContent className={styles.dialogContent}>
            <Body1>
              In Teams, add the <strong>Incoming Webhook</strong> connector (or a Workflows
              &ldquo;post to a channel when a webhook request is received&rdquo;) to the channel; in
              Slack, create an <strong>incoming webhook</strong> for it. Paste the address it gives
              you. Depot keeps it encrypted and shows only its host afterwards.
            </Body1>
            <Field label="Name" required>
              <Input
                value={name}
                onChange={(_, data) => setName(data.value)}
                placeholder="IT service desk"
                disabled={add.isPending}
                data-testid="webhook-add-name"
              />
            </Field>
            <Field label="Address" required hint="https://… (http:// only to this machine)">
              <Input
                type="url"
                value={url}
                onChange={(_, data) => setUrl(data.value)}
                disabled={add.isPending}
                data-testid="webhook-add-url"
              />
            </Field>
            <Field label="Format">
              <Select
                value={format}
                onChange={(_, data) => setFormat(data.value as WebhookFormatDto)}
                disabled={add.isPending}
                data-testid="webhook-add-format"
              >
                {(Object.keys(FORMAT_LABELS) as WebhookFormatDto[]).map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_LABELS[f]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Receives">
              <Select
                value={minSeverity}
                onChange={(_, data) => setMinSeverity(data.value as AlertSeverity)}
                disabled={add.isPending}
                data-testid="webhook-add-severity"
              >
                {(["critical", "warning", "info"] as AlertSeverity[]).map((s) => (
                  <option key={s} value={s}>
                    {RECEIVES_LABELS[s]}
                  </option>
                ))}
              </Select>
            </Field>
            {add.isError ? <ErrorState title="Couldn't add the webhook" error={add.error} /> : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              disabled={!canSubmit}
              onClick={() => add.mutate()}
              data-testid="webhook-add-confirm"
            >
              {add.isPending ? "Adding…" : "Add webhook"}
            </Button>
            <Button onClick={close} disabled={add.isPending}>
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
