import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { Checkmark16Filled } from "@fluentui/react-icons";

const useStyles = makeStyles({
  steps: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    position: "sticky",
    top: 0,
  },
  stepButton: {
    display: "grid",
    gridTemplateColumns: "28px 1fr",
    columnGap: tokens.spacingHorizontalM,
    alignItems: "center",
    width: "100%",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: "none",
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: "transparent",
    color: tokens.colorNeutralForeground1,
    textAlign: "left",
    cursor: "pointer",
    fontFamily: "inherit",
    ":hover": { backgroundColor: tokens.colorSubtleBackgroundHover },
    ":disabled": {
      cursor: "default",
      color: tokens.colorNeutralForegroundDisabled,
      backgroundColor: "transparent",
    },
    ":focus-visible": {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
    },
  },
  stepCurrent: {
    backgroundColor: tokens.colorSubtleBackgroundSelected,
    ":hover": { backgroundColor: tokens.colorSubtleBackgroundSelected },
  },
  stepNumber: {
    gridRow: "span 2",
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    width: "28px",
    height: "28px",
    borderRadius: tokens.borderRadiusCircular,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  stepNumberCurrent: {
    backgroundColor: tokens.colorBrandBackground,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandBackground}`,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  stepNumberDone: {
    backgroundColor: tokens.colorBrandBackground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
    color: tokens.colorBrandForeground2,
  },
  stepNumberProblem: {
    backgroundColor: tokens.colorPaletteRedBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder2}`,
    color: tokens.colorPaletteRedForeground1,
  },
  stepTitle: {
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: tokens.lineHeightBase300,
  },
  stepCaption: {
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    color: tokens.colorNeutralForeground3,
  },
});

/** The frame both wizards share: the step list beside a panel with a footer. */
export const useWizardFrameStyles = makeStyles({
  layout: {
    display: "grid",
    gridTemplateColumns: "248px minmax(0, 1fr)",
    gap: tokens.spacingHorizontalXXL,
    alignItems: "start",
  },
  panel: {
    display: "flex",
    flexDirection: "column",
    minHeight: "420px",
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow2,
  },
  panelBody: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    flexGrow: 1,
    maxWidth: "860px",
  },
  panelHeading: {
    margin: 0,
  },
  footer: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXXL}`,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  footerNote: {
    marginLeft: "auto",
    color: tokens.colorNeutralForeground3,
  },
});

export type WizardStep = { title: string; caption: string };

type WizardStepsProps = {
  steps: readonly WizardStep[];
  /** 1-based. */
  current: number;
  /** Whether step `n` (1-based) may be opened from the list. */
  reachable: (n: number) => boolean;
  /** Whether step `n` shows as finished (a check mark). */
  done: (n: number) => boolean;
  /** Whether step `n` has something to fix (shown in red, with "needs attention"). */
  problem?: (n: number) => boolean;
  onSelect: (n: number) => void;
  /** The navigation landmark's name ("Create profile steps"). */
  label: string;
};

/**
 * A wizard's step indicator: numbered steps with title and caption, the current
 * one highlighted, finished ones ticked. Buttons carry `wizard-nav-<n>`.
 */
export function WizardSteps({
  steps,
  current,
  reachable,
  done,
  problem = () => false,
  onSelect,
  label,
}: WizardStepsProps) {
  const styles = useStyles();
  return (
    <nav aria-label={label}>
      <ol className={styles.steps}>
        {steps.map(({ title, caption }, index) => {
          const n = index + 1;
          const isCurrent = n === current;
          const isDone = !isCurrent && done(n);
          const hasProblem = !isCurrent && problem(n);
          return (
            <li key={title}>
              <button
                type="button"
                className={mergeClasses(styles.stepButton, isCurrent && styles.stepCurrent)}
                disabled={!isCurrent && !reachable(n)}
                aria-current={isCurrent ? "step" : undefined}
                onClick={() => onSelect(n)}
                data-testid={`wizard-nav-${n}`}
                data-state={
                  isCurrent ? "current" : hasProblem ? "problem" : isDone ? "done" : "todo"
                }
              >
                <span
                  className={mergeClasses(
                    styles.stepNumber,
                    isCurrent && styles.stepNumberCurrent,
                    isDone && !hasProblem && styles.stepNumberDone,
                    hasProblem && styles.stepNumberProblem,
                  )}
                  aria-hidden="true"
                >
                  {isDone && !hasProblem ? <Checkmark16Filled /> : hasProblem ? "!" : n}
                </span>
                <span className={styles.stepTitle}>{title}</span>
                <span className={styles.stepCaption}>
                  {hasProblem ? "Needs attention" : caption}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
