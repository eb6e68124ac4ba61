import {
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Switch,
  type FieldProps,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import { messageAt } from "./draft";
import { useProfileStyles } from "./styles";

/** What every wizard step gets: the draft, a way to change it, and the problems to show. */
export type StepProps = {
  draft: ProfileDraft;
  /** Applies a change; the wizard re-applies the conditional rules afterwards. */
  update: (change: Partial<ProfileDraft> | ((d: ProfileDraft) => ProfileDraft)) => void;
  /** Problems to show on this step (empty until Next was tried here). */
  problems: readonly ProfileIssue[];
};

type SettingFieldProps = Omit<FieldProps, "validationMessage" | "validationState"> & {
  /** The depot.profile/v1 path: `data-testid="field-<path>"` and where its problems show. */
  path: string;
  problems: readonly ProfileIssue[];
  /** A local message (no backend answer needed), shown when there is no problem from the backend. */
  localError?: string | undefined;
  children: ReactNode;
};

/** A Fluent Field that shows the backend's problems for its path as its validation message. */
export function SettingField({ path, problems, localError, children, ...rest }: SettingFieldProps) {
  const styles = useProfileStyles();
  const message = messageAt(problems, path) ?? localError;
  return (
    <Field
      className={styles.field}
      data-testid={`field-${path}`}
      data-invalid={message ? "true" : undefined}
      {...rest}
      {...(message ? { validationMessage: message, validationState: "error" as const } : {})}
    >
      {children}
    </Field>
  );
}

type YesNoProps = {
  path: string;
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  problems: readonly ProfileIssue[];
  disabled?: boolean;
};

/** A yes/no setting: a Field with a Switch whose label says the current value. */
export function YesNoField({
  path,
  label,
  hint,
  checked,
  onChange,
  problems,
  disabled,
}: YesNoProps) {
  return (
    <SettingField path={path} problems={problems} label={label} {...(hint ? { hint } : {})}>
      <Switch
        checked={checked}
        disabled={disabled ?? false}
        label={checked ? "Yes" : "No"}
        onChange={(_, data) => onChange(data.checked)}
      />
    </SettingField>
  );
}

/** A heading inside a step. */
export function StepSection({ title, children }: { title: string; children: ReactNode }) {
  const styles = useProfileStyles();
  return (
    <section className={styles.section}>
      <Subtitle2 as="h3" className={styles.sectionHeading}>
        {title}
      </Subtitle2>
      {children}
    </section>
  );
}

/** Problems of this step that no visible field can show (so they are never lost). */
export function OtherProblems({
  problems,
  placed,
}: {
  problems: readonly ProfileIssue[];
  placed: (path: string) => boolean;
}) {
  const rest = problems.filter((p) => !placed(p.field));
  if (rest.length === 0) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="step-problems">
      <MessageBarBody>
        <MessageBarTitle>Fix these before you continue</MessageBarTitle>
        <ul>
          {rest.map((p) => (
            <li key={`${p.field}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}
