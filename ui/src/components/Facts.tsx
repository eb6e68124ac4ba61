import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  list: {
    display: "grid",
    gridTemplateColumns: "minmax(140px, max-content) minmax(0, 1fr)",
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  definition: {
    margin: 0,
    minWidth: 0,
    overflowWrap: "anywhere",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
});

export type Fact = {
  label: string;
  value: ReactNode;
  /** Identifiers and fingerprints read better in a fixed-width font. */
  mono?: boolean;
  testId?: string;
};

/** A two-column list of labelled facts. */
export function Facts({ facts, testId }: { facts: readonly Fact[]; testId?: string }) {
  const styles = useStyles();
  return (
    <dl className={styles.list} data-testid={testId}>
      {facts.map((fact) => (
        <div key={fact.label} style={{ display: "contents" }}>
          <dt className={styles.term}>{fact.label}</dt>
          <dd
            className={fact.mono ? `${styles.definition} ${styles.mono}` : styles.definition}
            data-testid={fact.testId}
          >
            {fact.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
