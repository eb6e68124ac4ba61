import { Caption1, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { Document20Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { pickTokenFile } from "../../app/files";
import type { TokenFile } from "../../bindings/TokenFile";
import { ErrorState } from "../../components/ErrorState";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { fileLabel } from "./wizardProgress";

// The token-file parts the add wizard (step 5) and the renew dialog share.

const useStyles = makeStyles({
  chosenFile: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  chosenFileIcon: {
    display: "flex",
    color: tokens.colorNeutralForeground3,
  },
  fileName: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** Asks for a token file; `onPicked` only runs when the admin chose one. */
export async function chooseTokenFile(onPicked: (file: TokenFile) => void): Promise<void> {
  const picked = await pickTokenFile();
  if (picked) onPicked(picked);
}

type ChosenFileBoxProps = {
  file: TokenFile;
  /** The file came from the simulated portal: marked with the Simulator badge. */
  fromSimulator: boolean;
  /** On the file name. */
  testId: string;
  /** E.g. a "Choose another file…" button at the end of the box. */
  action?: ReactNode;
};

/** The chosen token file: icon, name, where it came from. */
export function ChosenFileBox({ file, fromSimulator, testId, action }: ChosenFileBoxProps) {
  const styles = useStyles();
  return (
    <div className={styles.chosenFile}>
      <span className={styles.chosenFileIcon} aria-hidden="true">
        <Document20Regular />
      </span>
      <span className={styles.fileName} data-testid={testId}>
        {fileLabel(file)}
      </span>
      {fromSimulator ? <SimulatorBadge size="small" /> : null}
      {action}
    </div>
  );
}

export function NoFileChosen() {
  const styles = useStyles();
  return <Caption1 className={styles.muted}>No file chosen.</Caption1>;
}

/** While Apple (or the simulator) opens the token file. */
export function CheckingTokenSpinner({ simulator }: { simulator: boolean }) {
  return (
    <Spinner
      size="tiny"
      labelPosition="after"
      label={
        simulator ? "Checking the token with the simulator…" : "Checking the token with Apple…"
      }
    />
  );
}

/** The simulated portal's "Download token" failed. */
export function SimulatedPortalError({ error }: { error: unknown }) {
  return <ErrorState title="Couldn't get a token from the simulated portal" error={error} />;
}
