import {
  Button,
  Field,
  Input,
  InteractionTag,
  InteractionTagPrimary,
  InteractionTagSecondary,
  TagGroup,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Add16Regular } from "@fluentui/react-icons";
import { useState, type KeyboardEvent } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  row: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "flex-start",
  },
  input: {
    flexGrow: 1,
    maxWidth: "320px",
  },
  // Lines the button up with the input, below the field's label.
  addButton: {
    marginTop: "26px",
  },
  tags: {
    flexWrap: "wrap",
    rowGap: tokens.spacingVerticalXS,
  },
  none: {
    color: tokens.colorNeutralForeground3,
  },
});

const MAX_TAG = 64;

type ScopeTagInputProps = {
  value: readonly string[];
  onChange: (tags: string[]) => void;
  label?: string;
  hint?: string;
  disabled?: boolean;
};

/** Free-text scope tags: type and press Enter (or Add); remove with the tag's × or Delete. */
export function ScopeTagInput({
  value,
  onChange,
  label = "Scope tags",
  hint,
  disabled = false,
}: ScopeTagInputProps) {
  const styles = useStyles();
  const [draft, setDraft] = useState("");
  const trimmed = draft.trim();
  const duplicate = value.some((tag) => tag.toLowerCase() === trimmed.toLowerCase());
  const tooLong = trimmed.length > MAX_TAG;
  const error = duplicate
    ? `"${trimmed}" is already in the list.`
    : tooLong
      ? `A scope tag can have at most ${MAX_TAG} characters.`
      : undefined;
  const canAdd = trimmed.length > 0 && !error && !disabled;

  const add = () => {
    if (!canAdd) return;
    onChange([...value, trimmed]);
    setDraft("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  };

  return (
    <div className={styles.root}>
      <div className={styles.row}>
        <Field
          label={label}
          {...(hint ? { hint } : {})}
          className={styles.input}
          {...(error ? { validationMessage: error, validationState: "error" as const } : {})}
        >
          <Input
            value={draft}
            onChange={(_, data) => setDraft(data.value)}
            onKeyDown={onKeyDown}
            placeholder="e.g. Retail or Building 4"
            disabled={disabled}
            data-testid="scope-tag-input"
          />
        </Field>
        <Button
          icon={<Add16Regular />}
          onClick={add}
          disabled={!canAdd}
          data-testid="scope-tag-add"
          className={styles.addButton}
        >
          Add
        </Button>
      </div>
      {value.length > 0 ? (
        <TagGroup
          aria-label={label}
          className={styles.tags}
          onDismiss={(_, data) => onChange(value.filter((tag) => tag !== data.value))}
        >
          {value.map((tag) => (
            <InteractionTag
              key={tag}
              value={tag}
              shape="circular"
              appearance="brand"
              data-testid="scope-tag"
            >
              <InteractionTagPrimary hasSecondaryAction={!disabled}>{tag}</InteractionTagPrimary>
              {disabled ? null : (
                <InteractionTagSecondary
                  aria-label={`Remove ${tag}`}
                  aria-labelledby={undefined}
                  data-testid="scope-tag-remove"
                />
              )}
            </InteractionTag>
          ))}
        </TagGroup>
      ) : (
        <span className={styles.none}>No scope tags.</span>
      )}
    </div>
  );
}
