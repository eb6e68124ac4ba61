import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { VppNotDeviceAssignable } from "./VppNotDeviceAssignable";
import { VppFileChoice } from "./VppFileChoice";
import { VppFileError } from "./VppFileError";
import { VppTokenFacts } from "./VppTokenFacts";
import { useAddVppToken } from "./useAddVppToken";
import { DOWNLOAD_STEPS } from "./vppErrors";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
});

type AddVppTokenDialogProps = {
  open: boolean;
  onClose: () => void;
};

/** Add an Apps and Books token: the .vpptoken file, an optional name, and Apple's answer. */
export function AddVppTokenDialog({ open, onClose }: AddVppTokenDialogProps) {
  const styles = useStyles();
  const flow = useAddVppToken();
  const { add, claimed } = flow;
  const added = add.data;

  const close = () => {
    onClose();
    flow.reset();
  };

  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && close()} modalType="modal">
      <DialogSurface data-testid="vpp-add-dialog">
        <DialogBody>
          <DialogTitle>Add Apps and Books token</DialogTitle>
          <DialogContent className={styles.content}>
            {added ? (
              <>
                <MessageBar intent="success" layout="multiline" data-testid="vpp-add-done">
                  <MessageBarBody>
                    <MessageBarTitle>Token &ldquo;{added.name}&rdquo; added</MessageBarTitle>
                    {added.companyPortal === null
                      ? "Depot found no Company Portal licences at this location. Get them for the location in Apple Business Manager (Apps and Books), then choose Sync now."
                      : "Profiles can now choose this token to install the Company Portal with its licences."}
                  </MessageBarBody>
                </MessageBar>
                <VppTokenFacts token={added} testId="vpp-add-facts" />
                {added.companyPortal && !added.companyPortal.deviceAssignable ? (
                  <VppNotDeviceAssignable />
                ) : null}
              </>
            ) : (
              <>
                <Body1>
                  {DOWNLOAD_STEPS} The file ends in <strong>.vpptoken</strong> and is valid for a
                  year.
                </Body1>
                <VppFileChoice
                  file={flow.file}
                  onPicked={flow.choose}
                  disabled={add.isPending}
                  testIdPrefix="vpp-add"
                />
                <Field
                  label="Name in Depot"
                  hint="Optional. Profiles refer to the token by this name. Left empty, it is the location's name."
                >
                  <Input
                    value={flow.name}
                    onChange={(_, data) => flow.setName(data.value)}
                    disabled={add.isPending}
                    data-testid="vpp-add-name"
                  />
                </Field>
                {flow.simulatorRunning ? (
                  <Switch
                    checked={flow.fromSimulator}
                    onChange={(_, data) => flow.setFromSimulator(data.checked)}
                    disabled={add.isPending}
                    label="The file comes from Depot's simulator (demo mode), not from Apple"
                    data-testid="vpp-add-simulator"
                  />
                ) : null}
                {add.isPending ? (
                  <Spinner
                    size="tiny"
                    labelPosition="after"
                    label={
                      flow.fromSimulator
                        ? "Checking the token with the simulator…"
                        : "Checking the token with Apple…"
                    }
                  />
                ) : null}
                {claimed ? (
                  <MessageBar intent="warning" layout="multiline" data-testid="vpp-add-claimed">
                    <MessageBarBody>
                      <MessageBarTitle>Another MDM manages this location</MessageBarTitle>
                      <div data-testid="vpp-add-claimed-message">{claimed.message}</div>
                      <p>
                        If both assign this location&apos;s licences, neither knows what the other
                        did: apps can be removed from devices or licences run out unexpectedly. Use
                        it here only if the other MDM has stopped using this location.
                      </p>
                    </MessageBarBody>
                    <MessageBarActions>
                      <Button
                        appearance="primary"
                        onClick={flow.takeOver}
                        disabled={add.isPending}
                        data-testid="vpp-add-take-over"
                      >
                        Use it here anyway
                      </Button>
                    </MessageBarActions>
                  </MessageBar>
                ) : add.isError ? (
                  <VppFileError error={add.error} />
                ) : null}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {added ? (
              <Button appearance="primary" onClick={close} data-testid="vpp-add-close">
                Done
              </Button>
            ) : (
              <>
                <Button
                  appearance="primary"
                  disabled={!flow.canSubmit}
                  onClick={flow.submit}
                  data-testid="vpp-add-submit"
                >
                  {add.isPending ? "Adding…" : "Add token"}
                </Button>
                <Button onClick={close}>Cancel</Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
