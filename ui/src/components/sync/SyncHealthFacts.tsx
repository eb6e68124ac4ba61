import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { SyncHealth } from "../../bindings/SyncHealth";
import { Facts } from "../Facts";
import { SyncErrorBar, currentError } from "./SyncParts";
import {
  countdown,
  formatCount,
  formatDateTime,
  humanDuration,
  msUntil,
  parseTime,
  relativeTime,
} from "./time";

const CURSOR_MAX_AGE_S = 7 * 86_400;

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  columns: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(340px, 1fr))",
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalS,
    alignItems: "start",
  },
  value: {
    display: "flex",
    flexDirection: "column",
  },
  secondary: {
    color: tokens.colorNeutralForeground3,
  },
  good: {
    color: tokens.colorPaletteGreenForeground1,
  },
  bad: {
    color: tokens.colorPaletteRedForeground1,
  },
});

function Value({
  main,
  sub,
  tone,
}: {
  main: ReactNode;
  sub?: ReactNode;
  tone?: "good" | "bad" | undefined;
}) {
  const styles = useStyles();
  return (
    <span className={styles.value}>
      <span className={tone ? styles[tone] : undefined}>{main}</span>
      {sub ? <Caption1 className={styles.secondary}>{sub}</Caption1> : null}
    </span>
  );
}

/** "3 hours ago" with the exact time under it; `never` when there is no time. */
function when(iso: string | null, now: number, never: string, past = false): ReactNode {
  return iso ? <Value main={relativeTime(iso, now, past)} sub={formatDateTime(iso)} /> : never;
}

/**
 * SYN-6: how healthy one token's sync is, in plain language. A sync that is
 * still failing heads the panel with what happened and what to do.
 */
export function SyncHealthFacts({
  tokenId,
  health,
  now,
  running,
}: {
  tokenId: string;
  health: SyncHealth;
  now: number;
  /** A sync is running: the last error may be about to be resolved, so it is not headlined. */
  running: boolean;
}) {
  const styles = useStyles();
  const error = health.lastError;
  const failing = currentError(health);
  const stillFailing = failing !== null;
  const manualWait = msUntil(health.manualAllowedAt, now);
  const fullWait = msUntil(health.fullAllowedAt, now);
  const nextAuto = parseTime(health.nextAutomaticAt);
  const cursorAge = health.cursorAgeSeconds;

  const facts = [
    {
      label: "Last successful sync",
      value: when(health.lastSuccessAt, now, "Never", true),
      testId: "health-last-success",
    },
    {
      label: "Last full sync",
      value: when(health.lastFullSyncAt, now, "Never", true),
      testId: "health-last-full",
    },
    {
      label: "Last error",
      testId: "health-last-error",
      value: !error ? (
        "None"
      ) : stillFailing && !running ? (
        <Value
          tone="bad"
          main={`The last sync failed ${relativeTime(error.at, now, true)}`}
          sub={`${error.code} — what happened and what to do are shown above.`}
        />
      ) : (
        <Value
          main={error.message}
          sub={
            stillFailing
              ? `${formatDateTime(error.at)} · ${error.code}`
              : `Resolved — a later sync succeeded. (${formatDateTime(error.at)}, ${error.code})`
          }
        />
      ),
    },
    {
      label: "Next automatic sync",
      testId: "health-next-auto",
      value:
        health.nextAutomaticAt === null || nextAuto === null ? (
          <Value main="Not scheduled" sub="Depot syncs every 12 hours while it is open." />
        ) : nextAuto <= now ? (
          <Value main="Due now" sub="It starts within a few minutes." />
        ) : (
          when(health.nextAutomaticAt, now, "Not scheduled")
        ),
    },
    {
      label: "Manual sync",
      testId: "health-manual",
      value: health.pacingExempt ? (
        "Available now (no limits for this simulator token)"
      ) : manualWait > 0 ? (
        <Value
          main={`Available in ${countdown(manualWait)}`}
          sub="Apple allows one manual sync every 15 minutes per token."
        />
      ) : (
        <Value main="Available now" tone="good" />
      ),
    },
    {
      label: "Full sync",
      testId: "health-full",
      value: health.pacingExempt ? (
        "Available now (no limits for this simulator token)"
      ) : fullWait > 0 && health.fullAllowedAt ? (
        <Value
          main={`Available ${relativeTime(health.fullAllowedAt, now)}`}
          sub={`From ${formatDateTime(health.fullAllowedAt)} — Apple allows one every 7 days.`}
        />
      ) : (
        <Value main="Available now" tone="good" />
      ),
    },
    {
      label: "Sync cursor age",
      testId: "health-cursor",
      value:
        cursorAge === null ? (
          <Value
            main="No cursor yet"
            sub="The next sync fetches every device, then follows changes."
          />
        ) : cursorAge > CURSOR_MAX_AGE_S ? (
          <Value
            main={humanDuration(cursorAge * 1_000)}
            tone="bad"
            sub="Older than 7 days: the next sync fetches every device again."
          />
        ) : (
          humanDuration(cursorAge * 1_000)
        ),
    },
    {
      label: "Devices",
      value: formatCount(health.deviceCount),
      testId: "health-devices",
    },
  ];
  return (
    <div className={styles.root} data-testid="sync-health">
      {failing && !running ? <SyncErrorBar tokenId={tokenId} error={failing} now={now} /> : null}
      <div className={styles.columns}>
        <Facts facts={facts.slice(0, 4)} />
        <Facts facts={facts.slice(4)} />
      </div>
    </div>
  );
}
