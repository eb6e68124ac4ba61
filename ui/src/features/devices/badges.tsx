import { Badge, Tooltip } from "@fluentui/react-components";
import { isPreviewClass } from "../../app/closedSets";
import { LAST_RESULT, PREVIEW_CLASS, PROFILE_STATUS, tone } from "./format";

/** Apple's profile status (`data-status`). */
export function StatusBadge({ status }: { status: string }) {
  const { label, color } = tone(PROFILE_STATUS, status);
  return (
    <Badge appearance="tint" color={color} data-status={status}>
      {label}
    </Badge>
  );
}

/**
 * The newest run's answer for a device (`data-result`); "Waiting" while a run
 * has not answered yet, a dash when the device was never sent.
 */
export function ResultBadge({
  result,
  waiting,
  testId,
}: {
  result: string | null;
  waiting: boolean;
  testId?: string;
}) {
  if (result === null && !waiting) {
    return <span data-testid={testId}>—</span>;
  }
  const value = result ?? "PENDING";
  const { label, color } = tone(LAST_RESULT, value);
  return (
    <Badge appearance="tint" color={color} data-result={value} data-testid={testId}>
      {label}
    </Badge>
  );
}

/** A preview class (`data-class`) with what it means on hover. */
export function ClassBadge({ value, count }: { value: string; count?: number }) {
  const known = isPreviewClass(value) ? PREVIEW_CLASS[value] : undefined;
  const label = known?.label ?? value;
  const badge = (
    <Badge appearance="tint" color={known?.color ?? "informative"} data-class={value}>
      {count === undefined ? label : `${label}: ${count}`}
    </Badge>
  );
  return known ? (
    <Tooltip content={known.hint} relationship="description">
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}
