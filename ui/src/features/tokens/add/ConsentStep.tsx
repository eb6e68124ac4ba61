import { Body1, Caption1, Checkbox } from "@fluentui/react-components";
import { useAddTokenStyles } from "./styles";

type ConsentStepProps = {
  consent: boolean;
  onConsent: (consent: boolean) => void;
};

/** Step 1: what Depot shares with Apple, and the admin's agreement to it. */
export function ConsentStep({ consent, onConsent }: ConsentStepProps) {
  const styles = useAddTokenStyles();
  return (
    <>
      <Body1 className={styles.paragraph}>
        To enroll your organisation&apos;s devices automatically, Depot exchanges information with
        Apple on your behalf: the serial numbers, models and enrollment status of the devices
        assigned to your MDM server, the enrollment profiles you create (including support contact
        details), and the Apple ID of the administrator who created the token. Apple handles this
        information under its own terms for Apple Business Manager and Apple School Manager.
      </Body1>
      <div className={styles.consentBox}>
        <Checkbox
          checked={consent}
          onChange={(_, data) => onConsent(data.checked === true)}
          label="I agree that Depot may send user and device information to Apple."
          data-testid="consent-checkbox"
        />
      </div>
      {!consent ? (
        <Caption1 className={styles.muted}>
          The other steps become available once you agree.
        </Caption1>
      ) : null}
    </>
  );
}
