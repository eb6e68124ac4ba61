import {
  Body1,
  Button,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { Beaker20Regular, Open20Regular } from "@fluentui/react-icons";
import { useId } from "react";
import { isApiError } from "../../../app/api";
import { openExternal } from "../../../app/files";
import { SimulatedPortalError } from "../TokenFileChoice";
import { fileLabel } from "../wizardProgress";
import { useAddTokenStyles } from "./styles";
import type { AddTokenFlow } from "./useAddTokenFlow";

export const BUSINESS_PORTAL = "https://business.apple.com/";
export const SCHOOL_PORTAL = "https://school.apple.com/";

type PortalStepProps = {
  /** Where the public key was saved in step 2, if it was. */
  keySavedTo: string | null;
  /** The simulated portal can make a token only for a key that waits. */
  hasKey: boolean;
  issue: AddTokenFlow["issue"];
  chosen: AddTokenFlow["chosen"];
  fromSimulator: boolean;
};

/** Step 3: create the MDM server in Apple's portal, or get a token from the simulated one. */
export function PortalStep({ keySavedTo, hasKey, issue, chosen, fromSimulator }: PortalStepProps) {
  const styles = useAddTokenStyles();
  const headingId = useId();
  return (
    <>
      <Body1 className={styles.paragraph}>
        Now create the MDM server in Apple&apos;s portal. Keep this window open or come back later —
        Depot keeps your public key and your place in this wizard.
      </Body1>
      <ol className={styles.checklist} data-testid="portal-checklist">
        <li className={styles.checklistItem}>
          Sign in to <strong>Apple Business Manager</strong> (or{" "}
          <strong>Apple School Manager</strong>) with an account that is allowed to manage MDM
          servers.
        </li>
        <li className={styles.checklistItem}>
          Open your account menu, choose <strong>Preferences</strong>, then{" "}
          <strong>Your MDM Servers</strong>, and choose <strong>Add</strong>. Give the server a name
          you will recognise in Depot.
        </li>
        <li className={styles.checklistItem}>
          Under the server&apos;s settings, upload the public key file
          {keySavedTo ? (
            <>
              {" "}
              (<span className={styles.fileName}>{keySavedTo}</span>)
            </>
          ) : (
            " (.pem) from the previous step"
          )}{" "}
          and save.
        </li>
        <li className={styles.checklistItem}>
          Assign devices to the new server: choose them by <strong>serial number</strong>, by{" "}
          <strong>order number</strong>, or by uploading a <strong>CSV file</strong>, and set the
          new server as their MDM server. You can assign more devices at any time.
        </li>
        <li className={styles.checklistItem}>
          Back on the server&apos;s page, choose <strong>Download Token</strong>. Apple gives you a{" "}
          <strong>.p7m</strong> file — you upload it in step 5.
        </li>
      </ol>
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<Open20Regular />}
          onClick={() => void openExternal(BUSINESS_PORTAL)}
          data-testid="open-portal"
        >
          Open Apple Business Manager
        </Button>
        <Link
          as="button"
          onClick={() => void openExternal(SCHOOL_PORTAL)}
          data-testid="open-school-portal"
        >
          Open Apple School Manager instead
        </Link>
      </div>
      <section className={styles.simulatorBox} aria-labelledby={`${headingId}-sim`}>
        <h3 id={`${headingId}-sim`} className={styles.simulatorHeading}>
          <span className={styles.simulatorIcon} aria-hidden="true">
            <Beaker20Regular />
          </span>
          No Apple Business Manager account at hand?
        </h3>
        <Body1 className={styles.paragraph}>
          Use Depot&apos;s built-in simulator instead: it plays Apple&apos;s portal and issues a
          real token file for your key. The token then talks to the simulator, not to Apple, and is
          marked <strong>Simulator</strong> everywhere in Depot.
        </Body1>
        <div className={styles.actions}>
          <Button
            icon={<Beaker20Regular />}
            onClick={() => issue.mutate()}
            disabled={issue.isPending || !hasKey}
            data-testid="simulator-portal"
          >
            {issue.isPending
              ? "Getting a token…"
              : fromSimulator
                ? "Get another token from the simulated portal"
                : "Get a token from the simulated portal"}
          </Button>
        </div>
        {issue.isError && !(isApiError(issue.error) && issue.error.code === "NO_PENDING_KEY") ? (
          <SimulatedPortalError error={issue.error} />
        ) : null}
        {fromSimulator && chosen ? (
          <MessageBar intent="success" layout="multiline" data-testid="simulator-file-received">
            <MessageBarBody>
              <MessageBarTitle>Token file received from the simulator</MessageBarTitle>
              <div className={styles.receivedFile}>
                <span className={styles.fileName}>{fileLabel(chosen.file)}</span>
                <span>
                  Enter the Apple ID in the next step; the file is already chosen in step 5.
                </span>
              </div>
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </section>
    </>
  );
}
