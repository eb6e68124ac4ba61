import { Spinner, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  root: {
    display: "flex",
    justifyContent: "flex-start",
    padding: tokens.spacingVerticalXL,
  },
});

export function LoadingState({ label }: { label: string }) {
  const styles = useStyles();
  return (
    <div className={styles.root} data-testid="loading-state">
      <Spinner size="small" label={label} labelPosition="after" />
    </div>
  );
}
