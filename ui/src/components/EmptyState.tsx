import { makeStyles, Subtitle1, tokens, typographyStyles } from "@fluentui/react-components";
import { useId, type ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
  },
  icon: {
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    width: "64px",
    height: "64px",
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    "& svg": {
      width: "32px",
      height: "32px",
    },
  },
  title: {
    margin: 0,
  },
  body: {
    ...typographyStyles.body1,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    maxWidth: "600px",
    color: tokens.colorNeutralForeground2,
  },
  actions: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalS,
  },
});

type EmptyStateProps = {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
};

/** Says what will appear in a place that has nothing yet, and what to do about it. */
export function EmptyState({ icon, title, children, actions, testId }: EmptyStateProps) {
  const styles = useStyles();
  const titleId = useId();
  return (
    <div className={styles.root} role="region" aria-labelledby={titleId} data-testid={testId}>
      <div className={styles.icon} aria-hidden="true">
        {icon}
      </div>
      <Subtitle1 as="h2" id={titleId} className={styles.title}>
        {title}
      </Subtitle1>
      <div className={styles.body}>{children}</div>
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </div>
  );
}
