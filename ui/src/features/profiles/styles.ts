import { makeStyles, tokens } from "@fluentui/react-components";

/** Styles the profile pages share. */
export const useProfileStyles = makeStyles({
  paragraph: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  sectionHeading: {
    margin: 0,
  },
  field: {
    maxWidth: "520px",
  },
  narrowField: {
    maxWidth: "200px",
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    alignItems: "center",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  note: {
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
  },
  nowrap: {
    whiteSpace: "nowrap",
  },
  number: {
    textAlign: "right",
    fontVariantNumeric: "tabular-nums",
  },
  tableFrame: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    overflowX: "auto",
  },
  tableLayout: {
    tableLayout: "auto",
  },
  back: {
    alignSelf: "flex-start",
  },
});
