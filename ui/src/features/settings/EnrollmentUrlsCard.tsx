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
import { Edit20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError, queryKeys, useEnrollmentSettings } from "../../app/api";
import { useCan } from "../../app/session";
import type { EnrollmentSettings } from "../../bindings/EnrollmentSettings";
import type { SetEnrollmentUrlsRequest } from "../../bindings/SetEnrollmentUrlsRequest";
import type { TokenEnrollmentUrls } from "../../bindings/TokenEnrollmentUrls";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { SimulatorBadge } from "../../components/SimulatorBadge";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  paragraph: {
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    maxWidth: "560px",
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
  },
  tableFrame: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowX: "auto",
  },
  table: {
    tableLayout: "auto",
  },
  url: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  token: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
  },
});

type UrlField = "enrollmentUrl" | "configurationWebUrl";

/**
 * INVALID_INPUT names the setting it is about ("enrollmentUrl: the address must
 * start with https://"): the message goes to that field, without the prefix.
 */
function fieldErrors(error: unknown): Partial<Record<UrlField | "other", string>> {
  if (!isApiError(error) || error.code !== "INVALID_INPUT") return {};
  const match = /^(enrollmentUrl|configurationWebUrl):\s*(.*)$/s.exec(error.message);
  if (!match) return { other: error.message };
  const [, field = "other", text = error.message] = match;
  return { [field]: `${text.charAt(0).toUpperCase()}${text.slice(1)}` };
}

const blankToNull = (value: string) => (value.trim() === "" ? null : value.trim());

function useSaveUrls(onSaved?: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: SetEnrollmentUrlsRequest) => call("settings.setEnrollment", request),
    onSuccess: (settings) => {
      client.setQueryData<EnrollmentSettings>(queryKeys.enrollmentSettings, settings);
      // Checks of profile drafts depend on these URLs.
      client.removeQueries({ queryKey: ["profiles.check"] });
      void client.invalidateQueries({ queryKey: queryKeys.audit });
      onSaved?.();
    },
  });
}

/** PRO-18: where devices enroll — the workspace's URLs and each token's override. */
export function EnrollmentUrlsCard() {
  const styles = useStyles();
  const settings = useEnrollmentSettings();
  // Kept here: the form below starts afresh from the saved values after each save.
  const [saved, setSaved] = useState(false);
  return (
    <Card data-testid="settings-enrollment">
      <CardHeader
        header={<Subtitle2 as="h2">Enrollment URLs</Subtitle2>}
        description="Every profile uploaded to Apple tells devices where to enroll."
      />
      {settings.isPending ? (
        <LoadingState label="Loading enrollment URLs…" />
      ) : settings.isError ? (
        <ErrorState
          title="Couldn't load the enrollment URLs"
          error={settings.error}
          onRetry={() => void settings.refetch()}
          retrying={settings.isFetching}
        />
      ) : (
        <div className={styles.body}>
          {/* Remounts with the saved values after each save. */}
          <WorkspaceUrls
            key={`${settings.data.enrollmentUrl ?? ""}|${settings.data.configurationWebUrl ?? ""}`}
            settings={settings.data}
            saved={saved}
            onSaved={setSaved}
          />
          <TokenOverrides settings={settings.data} />
        </div>
      )}
    </Card>
  );
}

type WorkspaceUrlsProps = {
  settings: EnrollmentSettings;
  saved: boolean;
  onSaved: (saved: boolean) => void;
};

function WorkspaceUrls({ settings, saved, onSaved: setSaved }: WorkspaceUrlsProps) {
  const styles = useStyles();
  // Changing where devices enroll is an administrator's; others read the URLs.
  const canManage = useCan("manage");
  const [enrollmentUrl, setEnrollmentUrl] = useState(settings.enrollmentUrl ?? "");
  const [webUrl, setWebUrl] = useState(settings.configurationWebUrl ?? "");
  const save = useSaveUrls(() => setSaved(true));
  const errors = fieldErrors(save.error);
  const changed =
    blankToNull(enrollmentUrl) !== settings.enrollmentUrl ||
    blankToNull(webUrl) !== settings.configurationWebUrl;

  const edit = (set: (v: string) => void) => (value: string) => {
    set(value);
    setSaved(false);
    if (save.isError) save.reset();
  };

  return (
    <div className={styles.form}>
      <Body1 className={styles.paragraph}>
        The enrollment URL is your MDM server&apos;s address for new devices: a device sends it its
        identity during Setup Assistant and gets its management profile back. The configuration web
        URL is the sign-in page used by profiles with modern authentication. A profile cannot be
        created until it has an enrollment URL. Profiles that are already uploaded keep the URLs
        they were saved with.
      </Body1>
      <Field
        label="Enrollment URL"
        hint="For example https://mdm.contoso.com/enroll. Must start with https://."
        data-testid="settings-enrollment-url-field"
        {...(errors.enrollmentUrl
          ? { validationMessage: errors.enrollmentUrl, validationState: "error" as const }
          : {})}
      >
        <Input
          type="url"
          value={enrollmentUrl}
          readOnly={!canManage}
          onChange={(_, data) => edit(setEnrollmentUrl)(data.value)}
          data-testid="settings-enrollment-url"
        />
      </Field>
      <Field
        label="Configuration web URL"
        hint="Only needed for Setup Assistant with modern authentication."
        data-testid="settings-configuration-web-url-field"
        {...(errors.configurationWebUrl
          ? { validationMessage: errors.configurationWebUrl, validationState: "error" as const }
          : {})}
      >
        <Input
          type="url"
          value={webUrl}
          readOnly={!canManage}
          onChange={(_, data) => edit(setWebUrl)(data.value)}
          data-testid="settings-configuration-web-url"
        />
      </Field>
      {save.isError && !errors.enrollmentUrl && !errors.configurationWebUrl ? (
        <ErrorState title="Couldn't save the enrollment URLs" error={save.error} />
      ) : null}
      <div className={styles.actions}>
        {!canManage ? (
          <Caption1 data-testid="settings-enrollment-admin-only">
            Only an administrator can change the enrollment URLs.
          </Caption1>
        ) : null}
        {canManage ? (
          <Button
            appearance="primary"
            disabled={!changed || save.isPending}
            onClick={() =>
              save.mutate({
                enrollmentUrl: blankToNull(enrollmentUrl),
                configurationWebUrl: blankToNull(webUrl),
              })
            }
            data-testid="settings-enrollment-save"
          >
            {save.isPending ? "Saving…" : "Save"}
          </Button>
        ) : null}
        {saved && !changed ? (
          <Caption1 data-testid="settings-enrollment-saved">Saved.</Caption1>
        ) : null}
      </div>
    </div>
  );
}

/** Where a token's effective value comes from. */
function origin(
  own: string | null,
  workspace: string | null,
  effective: string | null,
  simulator: boolean,
): { text: string; kind: "token" | "workspace" | "demo" | "unset" } {
  if (own !== null) return { text: "Set for this token", kind: "token" };
  if (workspace !== null) return { text: "From the workspace", kind: "workspace" };
  if (simulator && effective !== null) {
    return { text: "Simulator demo URL (no real device uses it)", kind: "demo" };
  }
  return { text: "Not set", kind: "unset" };
}

function UrlCell({
  own,
  workspace,
  effective,
  simulator,
  testId,
}: {
  own: string | null;
  workspace: string | null;
  effective: string | null;
  simulator: boolean;
  testId: string;
}) {
  const styles = useStyles();
  const from = origin(own, workspace, effective, simulator);
  return (
    <span className={styles.url} data-testid={testId} data-origin={from.kind}>
      {effective ? (
        <span className={styles.mono}>{effective}</span>
      ) : (
        <span className={styles.muted}>—</span>
      )}
      <Caption1 className={styles.muted}>{from.text}</Caption1>
    </span>
  );
}

function TokenOverrides({ settings }: { settings: EnrollmentSettings }) {
  const styles = useStyles();
  const canManage = useCan("manage");
  const [editing, setEditing] = useState<TokenEnrollmentUrls | null>(null);
  if (settings.tokens.length === 0) {
    return (
      <Caption1 className={styles.muted} data-testid="token-urls-none">
        Tokens can have URLs of their own once you have added one.
      </Caption1>
    );
  }
  return (
    <>
      <Body1 className={styles.paragraph}>
        A token can use other URLs than the workspace, for example when its devices enroll into a
        different MDM server. Demo tokens from the simulator use a made-up demo URL unless you set
        one.
      </Body1>
      <div className={styles.tableFrame}>
        <Table
          aria-label="Enrollment URLs per token"
          className={styles.table}
          data-testid="token-urls"
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Token</TableHeaderCell>
              <TableHeaderCell>Enrollment URL</TableHeaderCell>
              <TableHeaderCell>Configuration web URL</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {settings.tokens.map((token) => (
              <TableRow key={token.tokenId} data-testid={`token-urls-row-${token.tokenId}`}>
                <TableCell>
                  <span className={styles.token}>
                    {token.tokenName}
                    {token.isSimulator ? <SimulatorBadge size="small" /> : null}
                    {token.enrollmentUrl !== null || token.configurationWebUrl !== null ? (
                      <Badge appearance="tint" size="small" data-testid="token-urls-override">
                        Own URLs
                      </Badge>
                    ) : null}
                  </span>
                </TableCell>
                <TableCell>
                  <UrlCell
                    own={token.enrollmentUrl}
                    workspace={settings.enrollmentUrl}
                    effective={token.effectiveEnrollmentUrl}
                    simulator={token.isSimulator}
                    testId="token-effective-enrollment-url"
                  />
                </TableCell>
                <TableCell>
                  <UrlCell
                    own={token.configurationWebUrl}
                    workspace={settings.configurationWebUrl}
                    effective={token.effectiveConfigurationWebUrl}
                    simulator={token.isSimulator}
                    testId="token-effective-configuration-web-url"
                  />
                </TableCell>
                <TableCell>
                  {canManage ? (
                    <Button
                      size="small"
                      icon={<Edit20Regular />}
                      onClick={() => setEditing(token)}
                      data-testid={`token-urls-edit-${token.tokenId}`}
                    >
                      Change
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {editing ? <TokenUrlsDialog token={editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

function TokenUrlsDialog({ token, onClose }: { token: TokenEnrollmentUrls; onClose: () => void }) {
  const styles = useStyles();
  const [enrollmentUrl, setEnrollmentUrl] = useState(token.enrollmentUrl ?? "");
  const [webUrl, setWebUrl] = useState(token.configurationWebUrl ?? "");
  const save = useSaveUrls(onClose);
  const errors = fieldErrors(save.error);
  const submit = (values: { enrollmentUrl: string | null; configurationWebUrl: string | null }) =>
    save.mutate({ tokenId: token.tokenId, ...values });

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid="token-urls-dialog">
        <DialogBody>
          <DialogTitle>URLs for {token.tokenName}</DialogTitle>
          <DialogContent className={styles.form}>
            <Body1 className={styles.paragraph}>
              Leave a field empty to use the workspace&apos;s URL
              {token.isSimulator ? " (or, for this demo token, the simulator's demo URL)" : ""}.
            </Body1>
            <Field
              label="Enrollment URL"
              {...(errors.enrollmentUrl
                ? { validationMessage: errors.enrollmentUrl, validationState: "error" as const }
                : {})}
            >
              <Input
                type="url"
                value={enrollmentUrl}
                onChange={(_, data) => setEnrollmentUrl(data.value)}
                data-testid="token-enrollment-url"
              />
            </Field>
            <Field
              label="Configuration web URL"
              {...(errors.configurationWebUrl
                ? {
                    validationMessage: errors.configurationWebUrl,
                    validationState: "error" as const,
                  }
                : {})}
            >
              <Input
                type="url"
                value={webUrl}
                onChange={(_, data) => setWebUrl(data.value)}
                data-testid="token-configuration-web-url"
              />
            </Field>
            {save.isError && !errors.enrollmentUrl && !errors.configurationWebUrl ? (
              <MessageBar intent="error">
                <MessageBarBody>{save.error.message}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              disabled={save.isPending}
              onClick={() =>
                submit({
                  enrollmentUrl: blankToNull(enrollmentUrl),
                  configurationWebUrl: blankToNull(webUrl),
                })
              }
              data-testid="token-urls-save"
            >
              {save.isPending ? "Saving…" : "Save"}
            </Button>
            <Button
              disabled={save.isPending}
              onClick={() => submit({ enrollmentUrl: null, configurationWebUrl: null })}
              data-testid="token-urls-clear"
            >
              Use the workspace&apos;s URLs
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
