import type { ErrorCode } from "../../bindings/ErrorCode";

export type VppErrorHelp = { title: string; advice: string };

/** Where an Apps and Books token file is downloaded, in the portal's own words. */
export const DOWNLOAD_STEPS =
  "In Apple Business Manager or Apple School Manager, open Preferences → Payments and Billing, find the location under Apps and Books, and choose Download.";

/**
 * What went wrong with an Apps and Books token file (add, renew), in the
 * admin's words. The UI branches on the code; the backend's message, written
 * for admins, is shown under it as it is.
 */
export function vppFileHelp(code: ErrorCode | undefined): VppErrorHelp {
  switch (code) {
    case "NOT_A_TOKEN_FILE":
      return {
        title: "This is not an Apps and Books token",
        advice: `Choose the .vpptoken file, not the enrollment program token (.p7m) or another file. ${DOWNLOAD_STEPS}`,
      };
    case "TOKEN_EXPIRED":
      return {
        title: "This token file has expired",
        advice: `Download a new token for the location and choose that file. ${DOWNLOAD_STEPS}`,
      };
    case "APPLE_REJECTED":
      return {
        title: "Apple did not accept this token",
        advice:
          "A newer download for the same location replaces the older file, and an administrator can revoke tokens in the portal. Download the token again and choose the new file.",
      };
    case "DUPLICATE_TOKEN":
      return {
        title: "Depot already has a token for this location",
        advice:
          "Renew that token with this file instead: the profiles that install the Company Portal with it keep working.",
      };
    case "APPLE_UNAVAILABLE":
      return {
        title: "Apple could not be reached",
        advice:
          "Depot checks every token with Apple before keeping it. Check the network connection (and any proxy), then try again.",
      };
    case "FILE_UNREADABLE":
      return {
        title: "The file could not be read",
        advice: "Check that the file still exists and that you can open it, then choose it again.",
      };
    case "LIMIT_REACHED":
      return {
        title: "This workspace has reached its limit",
        advice: "Delete an Apps and Books token you no longer use before adding another.",
      };
    case "INVALID_INPUT":
      return {
        title: "Something in the form is not acceptable",
        advice: "Check what the message names and try again.",
      };
    case "FORBIDDEN":
      return {
        title: "Your role does not allow this",
        advice: "Ask an administrator to do it, or to change your role.",
      };
    default:
      return {
        title: "Something went wrong",
        advice: "Try again. If it keeps failing, restart Depot.",
      };
  }
}
