import {
  Body1,
  Button,
  Card,
  CardHeader,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSync20Regular,
  Delete20Regular,
  ShieldCheckmark20Regular,
} from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, useTokenDetail } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { DEVICE_PATHS, PROFILE_PATHS, hrefTo } from "../../app/paths";
import { useCan } from "../../app/session";
import type { TokenDetail } from "../../bindings/TokenDetail";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { ErrorState } from "../../components/ErrorState";
import {
  PlatformMismatchTable,
  isKnownPlatform,
  platformDevices,
  platformLabel,
} from "../../components/platforms";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { ScopeTagInput } from "../../components/ScopeTagInput";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { DeleteDialog } from "./DeleteDialog";
import { RenewDialog, isSimulatorToken } from "./RenewDialog";
import { TokenFileError } from "./TokenFileError";
import { TokenStatusBadge, statusAdvice, statusLabel } from "./TokenStatusBadge";
import { TokenSyncCard } from "./TokenSyncCard";
import { daysLeftText, formatCount, formatDate, formatDateTime } from "./format";

const useStyles = makeStyles({
  badges: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
  },
  sections: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(380px, 1fr))",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
  },
  card: {
    paddingBottom: tokens.spacingVerticalL,
  },
  tagActions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    marginTop: tokens.spacingVerticalM,
  },
  back: {
    alignSelf: "flex-start",
  },
  wide: {
    gridColumn: "1 / -1",
  },
  lines: {
    display: "flex",
    flexDirection: "column",
  },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
  },
});

/** `appleUrl` of a token that talks to Depot's built-in simulator. */
const SIMULATOR_URL = "simulator";

function addedBanner(): boolean {
  return window.location.hash.includes("?added=1");
}

export function TokenDetailPage({ id }: { id: string }) {
  const detail = useTokenDetail(id);
  if (detail.isPending) {
    return (
      <Page testId="token-detail" title="Enrollment program token">
        <LoadingState label="Loading the token…" />
      </Page>
    );
  }
  if (detail.isError) {
    return (
      <Page testId="token-detail" title="Enrollment program token">
        <ErrorState
          title="Couldn't load this token"
          error={detail.error}
          onRetry={() => void detail.refetch()}
          retrying={detail.isFetching}
        />
        <Link href={hrefTo("tokens")}>Back to all tokens</Link>
      </Page>
    );
  }
  return <TokenDetailView token={detail.data} />;
}

/** The verdict of "Check with Apple", in a sentence. `who` is "Apple" or "the simulator". */
function checkVerdict(checked: TokenSummary, who: string): { text: string; good: boolean } {
  const Who = who.charAt(0).toUpperCase() + who.slice(1);
  switch (checked.status) {
    case "ok":
      return { text: `${Who} accepts this token.`, good: true };
    case "expiring":
      return {
        text: `${Who} accepts this token. ${statusLabel(checked.status, checked.daysLeft)} — renew it soon.`,
        good: true,
      };
    case "expired":
      return { text: `This token has expired; ${who} no longer accepts it.`, good: false };
    case "termsNotAccepted":
      return {
        text: `${Who} answered that its new terms and conditions have not been accepted yet.`,
        good: false,
      };
    case "rejected":
      return { text: `${Who} rejected this token.`, good: false };
  }
}

function TokenDetailView({ token }: { token: TokenDetail }) {
  const styles = useStyles();
  const client = useQueryClient();
  const { summary } = token;
  const who = isSimulatorToken(token) ? "the simulator" : "Apple";
  const check = useMutation({
    mutationFn: () => call("tokens.check", { id: summary.id }),
    onSuccess: () => refreshAfter(client, "token"),
  });
  const verdict = check.data ? checkVerdict(check.data, who) : null;
  // Until the page has refetched, a fresh "no" from the check brings its own advice.
  const advice =
    statusAdvice(summary.status) ?? (check.data ? statusAdvice(check.data.status) : null);
  const [renewOpen, setRenewOpen] = useState(false);
  // Renewing and deleting are an administrator's; checking counts as a sync.
  const canManage = useCan("manage");
  const canCheck = useCan("sync");
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [justAdded] = useState(addedBanner);

  return (
    <Page
      testId="token-detail"
      title={summary.serverName}
      description={
        <span className={styles.badges}>
          <TokenStatusBadge status={summary.status} daysLeft={summary.daysLeft} />
          {summary.simulator ? <SimulatorBadge /> : null}
          <span>{summary.orgName}</span>
        </span>
      }
      actions={
        <>
          {canManage ? (
            <Button
              appearance="primary"
              icon={<ArrowSync20Regular />}
              onClick={() => setRenewOpen(true)}
              data-testid="renew-token"
            >
              Renew
            </Button>
          ) : null}
          {canCheck ? (
            <Button
              icon={<ShieldCheckmark20Regular />}
              onClick={() => check.mutate()}
              disabled={check.isPending}
              data-testid="check-token"
            >
              {check.isPending ? "Checking…" : `Check with ${who}`}
            </Button>
          ) : null}
          {canManage ? (
            <Button
              icon={<Delete20Regular />}
              onClick={() => setDeleteOpen(true)}
              data-testid="delete-token"
            >
              Delete
            </Button>
          ) : null}
        </>
      }
    >
      <Link href={hrefTo("tokens")} className={styles.back}>
        ← All enrollment program tokens
      </Link>
      {justAdded ? (
        <MessageBar intent="success" layout="multiline" data-testid="token-added">
          <MessageBarBody>
            <MessageBarTitle>Token added</MessageBarTitle>
            Depot is now connected to {summary.serverName}. Next, create an enrollment profile for
            its devices.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {verdict?.good && check.data ? (
        <MessageBar intent="success" data-testid="check-result" data-status={check.data.status}>
          <MessageBarBody>{verdict.text}</MessageBarBody>
        </MessageBar>
      ) : null}
      {check.isError ? <TokenFileError error={check.error} testId="check-error" /> : null}
      {advice ? (
        <MessageBar
          intent={
            summary.status === "expiring" || summary.status === "termsNotAccepted"
              ? "warning"
              : "error"
          }
          layout="multiline"
          data-testid="token-status-advice"
        >
          <MessageBarBody>
            {verdict && !verdict.good && check.data ? (
              // A fresh "no" from Apple heads the advice on what to do about it.
              <MessageBarTitle data-testid="check-result" data-status={check.data.status}>
                {verdict.text}
              </MessageBarTitle>
            ) : null}
            {advice}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <PlatformWarnings token={token} />
      <div className={styles.sections} data-testid="token-detail">
        <Card className={styles.card}>
          <CardHeader header={<Subtitle2 as="h2">Apple account</Subtitle2>} />
          <Facts
            facts={[
              { label: "Organisation", value: summary.orgName },
              { label: "Organisation ID", value: token.orgId ?? "—", mono: true },
              {
                label: "Organisation type",
                value:
                  token.orgType === "edu"
                    ? "Education (Apple School Manager)"
                    : token.orgType === "org"
                      ? "Business (Apple Business Manager)"
                      : (token.orgType ?? "—"),
              },
              { label: "MDM server", value: summary.serverName },
              { label: "Server UUID", value: token.serverUuid, mono: true },
              { label: "Apple ID", value: summary.appleId, testId: "detail-apple-id" },
              { label: "Created in the portal by", value: token.adminId ?? "—" },
              token.appleUrl === SIMULATOR_URL
                ? { label: "Apple service", value: "Depot's built-in simulator" }
                : { label: "Apple service", value: token.appleUrl, mono: true },
            ]}
          />
        </Card>
        <Card className={styles.card}>
          <CardHeader header={<Subtitle2 as="h2">Token</Subtitle2>} />
          <Facts
            facts={[
              {
                label: "Expires",
                value: `${formatDate(summary.expiresAt)} (${daysLeftText(summary.daysLeft)})`,
                testId: "detail-expiry",
              },
              { label: "Added", value: formatDateTime(token.createdAt) },
              {
                label: "Last renewed",
                value: token.renewedAt ? formatDateTime(token.renewedAt) : "Never",
              },
              { label: "Public key (SHA-256)", value: token.keyFingerprint, mono: true },
              {
                label: "Devices",
                value: (
                  <Link href={DEVICE_PATHS.forToken(token.summary.id)}>
                    {formatCount(summary.deviceCount)}
                  </Link>
                ),
                testId: "detail-devices",
              },
              {
                label: "Profiles",
                value: (
                  <Link
                    href={PROFILE_PATHS.forToken(token.summary.id)}
                    data-testid="detail-profiles"
                  >
                    {formatCount(summary.profileCount)}
                  </Link>
                ),
              },
              {
                label: "Default profiles",
                value: <DefaultProfiles summary={summary} />,
                testId: "detail-default-profiles",
              },
            ]}
          />
        </Card>
        <TokenSyncCard token={summary} />
        <ScopeTagsCard token={token} />
        {token.platformMismatches.length > 0 ? (
          <Card className={mergeClasses(styles.card, styles.wide)} data-testid="mismatch-card">
            <CardHeader
              header={
                <Subtitle2 as="h2">
                  Devices on another platform&apos;s profile (
                  {formatCount(token.platformMismatches.length)})
                </Subtitle2>
              }
              description="They received a profile made for another platform, before Depot kept one default per platform. Assign each the profile of its own platform."
            />
            <PlatformMismatchTable
              mismatches={token.platformMismatches}
              profileHref={PROFILE_PATHS.detail}
              testId="token-mismatches"
            />
            <div>
              <Button
                as="a"
                href={`#${DEVICE_PATHS.assignSerials(
                  summary.id,
                  token.platformMismatches.map((m) => m.serial),
                )}`}
                data-testid="mismatch-assign"
              >
                Assign the right profile…
              </Button>
            </div>
          </Card>
        ) : null}
      </div>
      <RenewDialog token={token} open={renewOpen} onOpenChange={setRenewOpen} />
      <DeleteDialog token={token} open={deleteOpen} onOpenChange={setDeleteOpen} />
    </Page>
  );
}

/** Each platform's default profile, one per line. */
function DefaultProfiles({ summary }: { summary: TokenSummary }) {
  const styles = useStyles();
  if (summary.defaultProfiles.length === 0) {
    return <>{summary.defaultProfile ?? "None"}</>;
  }
  return (
    <span className={styles.lines}>
      {summary.defaultProfiles.map((d) => (
        <span key={d.platform} data-testid={`default-${d.platform}`}>
          {d.label}: {d.profile}
        </span>
      ))}
    </span>
  );
}

/**
 * PLT-2 and Apple's limit: devices that wait because their platform has no
 * default on this token, and a token over 200,000 devices.
 */
function PlatformWarnings({ token }: { token: TokenDetail }) {
  const styles = useStyles();
  const { summary } = token;
  const waiting = token.devicesWithoutDefault.filter((c) => c.count > 0);
  const known = waiting.filter((c) => isKnownPlatform(c.platform));
  const unknown = waiting.filter((c) => !isKnownPlatform(c.platform));
  return (
    <>
      {summary.overDeviceLimit ? (
        <MessageBar intent="warning" layout="multiline" data-testid="token-over-limit">
          <MessageBarBody>
            <MessageBarTitle>More devices than Apple allows</MessageBarTitle>
            Apple supports at most 200,000 devices on one MDM server, and {
              summary.serverName
            } has {formatCount(summary.deviceCount)}. Move some of them to another MDM server in
            Apple Business Manager or Apple School Manager.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {known.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="devices-without-default">
          <MessageBarBody>
            <MessageBarTitle>New devices wait for a default profile</MessageBarTitle>
            <ul className={styles.list}>
              {known.map((c) => (
                <li key={c.platform} data-testid={`without-default-${c.platform}`}>
                  {platformDevices(c.platform, c.count)} {c.count === 1 ? "waits" : "wait"}: no{" "}
                  {platformLabel(c.platform)} default profile.
                </li>
              ))}
            </ul>
            A sync gives each new device the default of its own platform only.{" "}
            <Link
              href={`#${PROFILE_PATHS.forToken(summary.id)}`}
              data-testid="without-default-profiles-link"
            >
              Set a default on the Profiles page
            </Link>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {unknown.length > 0 ? (
        <MessageBar intent="info" layout="multiline" data-testid="devices-unknown-family">
          <MessageBarBody>
            {unknown.map((c) => `${platformDevices(c.platform, c.count)}`).join(", ")} have no
            profile: Depot makes profiles only for iOS/iPadOS, macOS, tvOS and visionOS.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}

function ScopeTagsCard({ token }: { token: TokenDetail }) {
  const styles = useStyles();
  const client = useQueryClient();
  const saved = token.summary.scopeTags;
  // Changing tags is an administrator's; others see them.
  const canManage = useCan("manage");
  const [draft, setDraft] = useState<string[] | null>(null);
  const tags = draft ?? saved;
  const changed = draft !== null && draft.join("\u0000") !== saved.join("\u0000");
  const save = useMutation({
    mutationFn: (scopeTags: string[]) =>
      call("tokens.setScopeTags", { id: token.summary.id, scopeTags }),
    onSuccess: async () => {
      await refreshAfter(client, "token");
      setDraft(null);
    },
  });
  return (
    <Card className={styles.card} data-testid="scope-tags-card">
      <CardHeader
        header={<Subtitle2 as="h2">Scope tags</Subtitle2>}
        description="Profiles and devices of this token inherit these tags."
      />
      {!canManage ? (
        <Body1 data-testid="scope-tags-list">{saved.length > 0 ? saved.join(", ") : "None"}</Body1>
      ) : (
        <>
          <ScopeTagInput value={tags} onChange={setDraft} label="Add a scope tag" />
          {save.isError ? (
            <ErrorState title="Couldn't save the scope tags" error={save.error} />
          ) : null}
          <div className={styles.tagActions}>
            <Button
              appearance="primary"
              disabled={!changed || save.isPending}
              onClick={() => save.mutate(tags)}
              data-testid="scope-tags-save"
            >
              {save.isPending ? "Saving…" : "Save tags"}
            </Button>
            <Button disabled={!changed || save.isPending} onClick={() => setDraft(null)}>
              Discard
            </Button>
          </div>
        </>
      )}
    </Card>
  );
}
