// Closed sets the backend sends: one union per set here, and a guard that
// narrows a string to it. Tables keyed by a union must name every member, so a
// new value shows up as a type error instead of a silent default. Where the
// bindings carry the union (run kind, reason and result, preview class,
// change kind, profile status filter), the list here is checked against it at compile time.

import type { ChangeKind } from "../bindings/ChangeKind";
import type { PreviewClass as PreviewClassBinding } from "../bindings/PreviewClass";
import type { ProfileStatus as ProfileStatusBinding } from "../bindings/ProfileStatus";
import type { RunKind } from "../bindings/RunKind";
import type { RunReason } from "../bindings/RunReason";
import type { RunResult } from "../bindings/RunResult";

/** `true` only when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** A guard for one closed set. */
function guardOf<T extends string>(values: readonly T[]): (value: string) => value is T {
  return (value): value is T => (values as readonly string[]).includes(value);
}

/** AssignmentRun.kind / DeviceHistoryEntry.kind. */
export const ASSIGNMENT_RUN_KINDS = ["assign", "remove"] as const;
export type AssignmentRunKind = (typeof ASSIGNMENT_RUN_KINDS)[number];
export const isAssignmentRunKind = guardOf(ASSIGNMENT_RUN_KINDS);
export type RunKindsAgree = Assert<Same<AssignmentRunKind, RunKind>>;

/** AssignmentRun.reason / DeviceHistoryEntry.reason: why a run was started. */
export const ASSIGNMENT_RUN_REASONS = ["manual", "edit", "default"] as const;
export type AssignmentRunReason = (typeof ASSIGNMENT_RUN_REASONS)[number];
export const isAssignmentRunReason = guardOf(ASSIGNMENT_RUN_REASONS);
export type RunReasonsAgree = Assert<Same<AssignmentRunReason, RunReason>>;

/** AssignmentRun.result. */
export const ASSIGNMENT_RUN_RESULTS = ["running", "ok", "partial", "failed", "cancelled"] as const;
export type AssignmentRunResult = (typeof ASSIGNMENT_RUN_RESULTS)[number];
export const isAssignmentRunResult = guardOf(ASSIGNMENT_RUN_RESULTS);
export type RunResultsAgree = Assert<Same<AssignmentRunResult, RunResult>>;

/** PreviewRowDto.class / the preview's counts: how the preview classifies a serial (DEV-2). */
export const PREVIEW_CLASSES = [
  "ready",
  "setUp",
  "unknown",
  "alreadyOnProfile",
  "otherToken",
  "cooldown",
  "removed",
  "refused",
] as const;
export type PreviewClass = (typeof PREVIEW_CLASSES)[number];
export const isPreviewClass = guardOf(PREVIEW_CLASSES);
export type PreviewClassesAgree = Assert<Same<PreviewClass, PreviewClassBinding>>;

/** DeviceQueryDto.statuses: the profile statuses a device filter can name. */
export const PROFILE_STATUSES = ["empty", "assigned", "pushed", "removed"] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];
export const isProfileStatus = guardOf(PROFILE_STATUSES);
export type ProfileStatusesAgree = Assert<Same<ProfileStatus, ProfileStatusBinding>>;

/** ChangeEvent.kind: the background changes the desktop shell pushes. */
export const CHANGE_EVENT_KINDS = [
  "syncProgress",
  "syncFinished",
  "assignmentProgress",
  "assignmentFinished",
] as const;
export type ChangeEventKind = (typeof CHANGE_EVENT_KINDS)[number];
export const isChangeEventKind = guardOf(CHANGE_EVENT_KINDS);
export type ChangeKindsAgree = Assert<Same<ChangeEventKind, ChangeKind>>;

/** How a run's result reads in a message bar. */
export const RUN_RESULT_INTENT: Record<
  AssignmentRunResult,
  "info" | "success" | "warning" | "error"
> = {
  running: "info",
  ok: "success",
  partial: "warning",
  failed: "error",
  cancelled: "warning",
};

/** The message bar intent of a run's result; "info" for one this build does not know. */
export function runResultIntent(result: string): "info" | "success" | "warning" | "error" {
  return isAssignmentRunResult(result) ? RUN_RESULT_INTENT[result] : "info";
}
