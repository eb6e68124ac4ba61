import { Body1, Field, Input } from "@fluentui/react-components";
import { useAddTokenStyles } from "./styles";

type AppleIdStepProps = {
  appleId: string;
  /** Shown once the admin typed or left the field with something that is not an email. */
  error: string | undefined;
  onChange: (appleId: string) => void;
  onBlur: () => void;
};

/** Step 4: the Apple ID that made the token, kept for whoever renews it. */
export function AppleIdStep({ appleId, error, onChange, onBlur }: AppleIdStepProps) {
  const styles = useAddTokenStyles();
  return (
    <>
      <Body1 className={styles.paragraph}>
        Enter the Apple ID you signed in to Apple&apos;s portal with to create this token. Depot
        stores it with the token, so that whoever renews the token next year knows which account to
        sign in with — renewing requires the same Apple ID.
      </Body1>
      <Field
        label="Apple ID"
        required
        className={styles.field}
        hint="Usually a Managed Apple ID, such as it-admin@contoso.com."
        {...(error ? { validationMessage: error, validationState: "error" as const } : {})}
      >
        <Input
          type="email"
          value={appleId}
          onChange={(_, data) => onChange(data.value)}
          onBlur={onBlur}
          autoComplete="off"
          data-testid="apple-id-input"
        />
      </Field>
    </>
  );
}
