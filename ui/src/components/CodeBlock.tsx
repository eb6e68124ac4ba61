import { makeStyles, tokens } from "@fluentui/react-components";
import { CopyButton } from "./CopyButton";

const useStyles = makeStyles({
  root: {
    position: "relative",
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  pre: {
    margin: 0,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    paddingRight: "96px",
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    overflow: "auto",
    maxHeight: "420px",
    whiteSpace: "pre",
  },
  copy: {
    position: "absolute",
    top: tokens.spacingVerticalXS,
    right: tokens.spacingHorizontalXS,
  },
});

type CodeBlockProps = {
  text: string;
  /** Names the content for the copy button ("Copy Apple JSON"). */
  label: string;
  testId?: string | undefined;
  copyTestId?: string | undefined;
};

/** Monospace, scrollable text (JSON, property lists) with a copy button. */
export function CodeBlock({ text, label, testId, copyTestId }: CodeBlockProps) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <pre className={styles.pre} data-testid={testId} tabIndex={0} aria-label={label}>
        {text}
      </pre>
      <div className={styles.copy}>
        <CopyButton text={text} label={`Copy ${label}`} testId={copyTestId} showText size="small" />
      </div>
    </div>
  );
}
