import { Button, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { Document20Regular, DocumentArrowUp20Regular } from "@fluentui/react-icons";
import { pickVppTokenFile } from "../../app/files";
import type { TokenFile } from "../../bindings/TokenFile";

const useStyles = makeStyles({
  row: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  chosen: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground3,
  },
  fileName: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground1,
    overflowWrap: "anywhere",
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

type VppFileChoiceProps = {
  file: TokenFile | null;
  onPicked: (file: TokenFile) => void;
  disabled: boolean;
  /** `vpp-add` gives `vpp-add-pick-file` and `vpp-add-file`. */
  testIdPrefix: string;
};

/** "Choose .vpptoken file…" and the file chosen so far. */
export function VppFileChoice({ file, onPicked, disabled, testIdPrefix }: VppFileChoiceProps) {
  const styles = useStyles();
  const choose = async () => {
    const picked = await pickVppTokenFile();
    if (picked) onPicked(picked);
  };
  return (
    <div className={styles.row}>
      <Button
        icon={<DocumentArrowUp20Regular />}
        appearance={file ? "secondary" : "primary"}
        onClick={() => void choose()}
        disabled={disabled}
        data-testid={`${testIdPrefix}-pick-file`}
      >
        {file ? "Choose another file…" : "Choose .vpptoken file…"}
      </Button>
      {file ? (
        <span className={styles.chosen}>
          <Document20Regular aria-hidden="true" />
          <span className={styles.fileName} data-testid={`${testIdPrefix}-file`}>
            {file.fileName}
          </span>
        </span>
      ) : (
        <Caption1 className={styles.muted}>No file chosen.</Caption1>
      )}
    </div>
  );
}
