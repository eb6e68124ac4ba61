import {
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle20Filled } from "@fluentui/react-icons";
import type { TokenPreview } from "../../bindings/TokenPreview";
import { Facts } from "../../components/Facts";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { daysLeftText, formatDate } from "./format";

const useStyles = makeStyles({
  header: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  ok: {
    color: tokens.colorPaletteGreenForeground1,
    display: "flex",
  },
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
});

/** What Apple says about the picked token file, for the admin to confirm (TOK-1 step 5). */
export function TokenPreviewCard({
  preview,
  appleId,
}: {
  preview: TokenPreview;
  /** The Apple ID entered in step 4, compared with the one Apple reports. */
  appleId: string;
}) {
  const styles = useStyles();
  const adminDiffers =
    preview.adminId !== null &&
    appleId.trim() !== "" &&
    preview.adminId.toLowerCase() !== appleId.trim().toLowerCase();
  return (
    <Card data-testid="token-preview" appearance="outline">
      <CardHeader
        header={
          <div className={styles.header}>
            <span className={styles.ok} aria-hidden="true">
              <CheckmarkCircle20Filled />
            </span>
            <Subtitle2 as="h3">
              {preview.simulator
                ? "The simulator recognised this token"
                : "Apple recognised this token"}
            </Subtitle2>
            {preview.simulator ? <SimulatorBadge size="small" /> : null}
          </div>
        }
      />
      <div className={styles.body}>
        <Facts
          facts={[
            { label: "Organisation", value: preview.orgName, testId: "preview-org" },
            { label: "MDM server", value: preview.serverName, testId: "preview-server" },
            { label: "Server UUID", value: preview.serverUuid, mono: true },
            {
              label: "Created in the portal by",
              value: preview.adminId ?? "Not reported by Apple",
              testId: "preview-admin",
            },
            {
              label: "Expires",
              value: `${formatDate(preview.expiresAt)} (${daysLeftText(preview.daysLeft)})`,
              testId: "preview-expiry",
            },
          ]}
        />
        {adminDiffers ? (
          <MessageBar intent="info" layout="multiline">
            <MessageBarBody>
              {preview.simulator ? "The simulator" : "Apple"} reports that {preview.adminId} made
              this token, and you entered {appleId.trim()} as the Apple ID. If someone else will
              renew it next year, that is fine; otherwise go back and correct the Apple ID.
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
    </Card>
  );
}
