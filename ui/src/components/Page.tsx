import { Body1, makeStyles, Title2, tokens } from "@fluentui/react-components";
import { useEffect, useId, type ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXL,
    maxWidth: "1200px",
  },
  header: {
    display: "flex",
    alignItems: "flex-start",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
    flexWrap: "wrap",
  },
  titles: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    maxWidth: "760px",
  },
  heading: {
    margin: 0,
  },
  description: {
    color: tokens.colorNeutralForeground2,
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
  },
});

type PageProps = {
  /** Used for `data-testid="page-<testId>"`. */
  testId: string;
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
};

/** A top-level page: one h1, an optional description and command area, then content. */
export function Page({ testId, title, description, actions, children }: PageProps) {
  const styles = useStyles();
  const headingId = useId();
  useEffect(() => {
    document.title = `${title} · Depot`;
  }, [title]);
  return (
    <section className={styles.root} aria-labelledby={headingId} data-testid={`page-${testId}`}>
      <header className={styles.header}>
        <div className={styles.titles}>
          <Title2 as="h1" id={headingId} className={styles.heading}>
            {title}
          </Title2>
          {description ? <Body1 className={styles.description}>{description}</Body1> : null}
        </div>
        {actions ? <div className={styles.actions}>{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
