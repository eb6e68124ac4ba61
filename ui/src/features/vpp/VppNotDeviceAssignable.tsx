import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

/** The location's Company Portal licences need an Apple Account: ADE devices cannot use them. */
export function VppNotDeviceAssignable() {
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="vpp-not-device-assignable">
      <MessageBarBody>
        <MessageBarTitle>Licences not device-assignable</MessageBarTitle>
        Apple says the Company Portal licences at this location can only go to people with an Apple
        Account, not to devices. Devices set up with Automated Device Enrollment need licences
        assigned to the device, so they cannot install the app with this token.
      </MessageBarBody>
    </MessageBar>
  );
}
