import { now } from "../../app/clock";
import type { VppToken } from "../../bindings/VppToken";
import { Facts } from "../../components/Facts";
import { formatDate, formatDateTime } from "../../components/format";
import { licencesText, vppDaysLeft, vppDaysLeftText } from "../../components/vppToken";

/** What Apple said about a token just added or renewed: where it is, how long, how many licences. */
export function VppTokenFacts({
  token,
  testId = "vpp-facts",
}: {
  token: VppToken;
  testId?: string;
}) {
  const licences = token.companyPortal;
  return (
    <Facts
      testId={testId}
      facts={[
        { label: "Location", value: token.locationName, testId: "vpp-fact-location" },
        { label: "Organisation", value: token.orgName },
        {
          label: "Expires",
          value: `${formatDate(token.expiresAt)} (${vppDaysLeftText(vppDaysLeft(token.expiresAt, now()))})`,
        },
        {
          label: "Company Portal licences",
          value:
            licences === null
              ? "None at this location yet"
              : `${licencesText(licences)}, as of ${formatDateTime(licences.asOf)}`,
          testId: "vpp-fact-licences",
        },
      ]}
    />
  );
}
