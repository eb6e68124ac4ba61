import { Body1 } from "@fluentui/react-components";
import { Facts } from "../../../components/Facts";
import { SimulatorBadge } from "../../../components/SimulatorBadge";
import { TokenFileError } from "../TokenFileError";
import { daysLeftText, formatDate } from "../format";
import { useAddTokenStyles } from "./styles";
import type { AddTokenFlow } from "./useAddTokenFlow";

type ReviewStepProps = {
  appleId: string;
  scopeTags: string[];
  flow: Pick<AddTokenFlow, "preview" | "key" | "add" | "goTo">;
};

/** Step 7: everything the token will be created with; Create saves it. */
export function ReviewStep({ appleId, scopeTags, flow }: ReviewStepProps) {
  const styles = useAddTokenStyles();
  const { preview, key, add, goTo } = flow;
  return (
    <>
      <Body1 className={styles.paragraph}>
        Check the details below and choose <strong>Create</strong>. Depot saves the token, its key
        and the Apple facts in one go.
      </Body1>
      {preview ? (
        <Facts
          testId="review-summary"
          facts={[
            {
              label: "MDM server",
              value: (
                <span className={styles.actions}>
                  {preview.serverName}
                  {preview.simulator ? <SimulatorBadge size="small" /> : null}
                </span>
              ),
            },
            { label: "Organisation", value: preview.orgName },
            { label: "Server UUID", value: preview.serverUuid, mono: true },
            { label: "Apple ID", value: appleId.trim() },
            {
              label: "Expires",
              value: `${formatDate(preview.expiresAt)} (${daysLeftText(preview.daysLeft)})`,
            },
            {
              label: "Scope tags",
              value: scopeTags.length > 0 ? scopeTags.join(", ") : "None",
            },
            { label: "Public key", value: key?.fingerprint ?? "—", mono: true },
          ]}
        />
      ) : null}
      {add.isError ? <TokenFileError error={add.error} onKeyStep={() => goTo(2)} /> : null}
    </>
  );
}
