import {
  Body1,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ToggleButton,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { AssignmentPreviewDto } from "../../bindings/AssignmentPreviewDto";
import type { PreviewRowDto } from "../../bindings/PreviewRowDto";
import { ClassBadge } from "./badges";
import { isPreviewClass } from "../../app/closedSets";
import { PREVIEW_CLASS, PREVIEW_ORDER, formatCount, plural } from "./format";
import { VirtualGrid, type GridColumn } from "./VirtualGrid";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  counts: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
  },
  summary: {
    margin: 0,
  },
  badRows: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    maxHeight: "160px",
    overflowY: "auto",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** DEV-8: shown wherever a profile is about to be sent. */
export function WipeNote() {
  return (
    <MessageBar intent="info" layout="multiline" data-testid="assignment-wipe-note">
      <MessageBarBody>
        <MessageBarTitle>Devices that are already in use</MessageBarTitle>
        Apple hands a device its enrollment profile when it goes through Setup Assistant. A device
        that has already been set up carries on with its current settings and only takes the new
        profile after it has been erased.
      </MessageBarBody>
    </MessageBar>
  );
}

function classOrder(value: string): number {
  return isPreviewClass(value) ? PREVIEW_ORDER.indexOf(value) : PREVIEW_ORDER.length;
}

type PreviewViewProps = {
  preview: AssignmentPreviewDto;
  /** "assign" or "remove": what confirming does, in the summary line. */
  action: "assign" | "remove";
};

/**
 * DEV-2: every serial with its class and why, the counts per class, and the
 * lines that could not be read. Nothing has been sent yet.
 */
export function PreviewView({ preview, action }: PreviewViewProps) {
  const styles = useStyles();
  const [only, setOnly] = useState<string | null>(null);
  const counts = [...preview.counts].sort((a, b) => classOrder(a.value) - classOrder(b.value));
  const rows = only === null ? preview.rows : preview.rows.filter((r) => r.class === only);
  const refused = preview.counts.find((c) => c.value === "refused")?.count ?? 0;
  const skipped = preview.total - preview.sendCount - refused;
  const columns: GridColumn<PreviewRowDto>[] = [
    {
      id: "serial",
      label: "Serial number",
      track: "150px",
      render: (r) => <span className={styles.mono}>{r.serial}</span>,
    },
    {
      id: "class",
      label: "Result of the check",
      track: "150px",
      render: (r) => <ClassBadge value={r.class} />,
    },
    {
      id: "send",
      label: "Sent",
      track: "60px",
      render: (r) => (r.willSend ? "Yes" : <span className={styles.muted}>No</span>),
    },
    { id: "detail", label: "Detail", track: "minmax(0, 1fr)", render: (r) => r.detail },
  ];

  return (
    <div className={styles.root} data-testid="assignment-preview">
      <Body1 className={styles.summary} data-testid="preview-summary">
        {preview.sendCount === 0
          ? "Nothing would be sent: none of these serial numbers can take the change."
          : `Confirming ${action === "assign" ? "sends the profile to" : "removes the profile from"} ${plural(
              preview.sendCount,
              "device",
              "devices",
            )}${skipped > 0 ? `; ${formatCount(skipped)} will be left alone` : ""}.`}
        {refused > 0
          ? ` ${plural(refused, "device is", "devices are")} refused and never sent.`
          : ""}
      </Body1>
      {preview.warnings.map((warning) => (
        <MessageBar key={warning} intent="warning" layout="multiline" data-testid="preview-warning">
          <MessageBarBody>{warning}</MessageBarBody>
        </MessageBar>
      ))}
      {refused > 0 ? (
        <MessageBar intent="error" layout="multiline" data-testid="preview-refused">
          <MessageBarBody>
            <MessageBarTitle>
              {plural(refused, "device refused", "devices refused")}: not sent to Apple
            </MessageBarTitle>
            This profile is not made for {refused === 1 ? "that device" : "those devices"}: another
            platform, or a Shared iPad profile for something that is not an iPad. Each row below
            says why. Assign {refused === 1 ? "it" : "them"} a profile of{" "}
            {refused === 1 ? "its" : "their"} own platform instead.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.counts} role="group" aria-label="Serial numbers per result">
        {counts.map((c) => (
          <ToggleButton
            key={c.value}
            size="small"
            appearance="subtle"
            checked={only === c.value}
            onClick={() => setOnly(only === c.value ? null : c.value)}
            data-testid={`preview-count-${c.value}`}
            data-count={c.count}
            title={isPreviewClass(c.value) ? PREVIEW_CLASS[c.value].hint : undefined}
          >
            <ClassBadge value={c.value} count={c.count} />
          </ToggleButton>
        ))}
        {preview.duplicates > 0 ? (
          <Caption1 className={styles.muted} data-testid="preview-duplicates">
            {plural(preview.duplicates, "serial number was", "serial numbers were")} listed more
            than once and counted once.
          </Caption1>
        ) : null}
      </div>
      {preview.badRows.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="preview-bad-rows">
          <MessageBarBody>
            <MessageBarTitle>
              {plural(preview.badRows.length, "line was", "lines were")} not read
            </MessageBarTitle>
            <ul className={styles.badRows}>
              {preview.badRows.map((bad) => (
                <li key={bad.line} data-testid={`preview-bad-row-${bad.line}`}>
                  Line {bad.line}: <span className={styles.mono}>{bad.text}</span> — {bad.reason}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {preview.truncated ? (
        <Caption1 className={styles.muted} data-testid="preview-truncated">
          The list shows the first {formatCount(preview.rows.length)} of{" "}
          {formatCount(preview.total)} serial numbers; the counts above cover all of them.
        </Caption1>
      ) : null}
      {preview.rows.length > 0 ? (
        <VirtualGrid
          items={rows}
          columns={columns}
          rowKey={(r) => r.serial}
          rowAttributes={(r) => ({
            "data-testid": `preview-row-${r.serial}`,
            "data-class": r.class,
            "data-will-send": String(r.willSend),
          })}
          label="Serial numbers checked"
          testId="preview-table"
          height={320}
        />
      ) : null}
    </div>
  );
}
