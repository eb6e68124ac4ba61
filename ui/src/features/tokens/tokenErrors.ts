import type { ErrorCode } from "../../bindings/ErrorCode";

export type ErrorHelp = {
  title: string;
  advice: string;
  /** A way out the UI offers next to the message. */
  action?: "keyStep" | "tokenList";
};

/**
 * Help for what can go wrong with a token file (inspect, add, renew). The UI
 * branches on the code; the backend's message is shown as well, as the facts.
 */
export function tokenFileHelp(code: ErrorCode | undefined): ErrorHelp {
  switch (code) {
    case "NO_PENDING_KEY":
      return {
        title: "There is no public key waiting for this token",
        advice:
          "Go back to the public key step: Depot creates a key there. Upload that key's .pem to the MDM server in Apple's portal and download a new token.",
        action: "keyStep",
      };
    case "NOT_A_TOKEN_FILE":
      return {
        title: "This is not a server token from Apple",
        advice:
          "Choose the .p7m file that Apple's portal downloads when you choose Download Token for the MDM server, not the .pem public key or another file.",
      };
    case "WRONG_KEY":
      return {
        title: "This token was made for a different public key",
        advice:
          "Apple encrypted this file for another key than the one Depot holds. In Apple's portal, open the MDM server, upload the .pem file from the public key step, save, then download the token again and choose the new file here.",
        action: "keyStep",
      };
    case "TOKEN_CORRUPTED":
      return {
        title: "The token file is damaged",
        advice:
          "The file could not be decoded; it may be incomplete or have been edited. Download the token from Apple's portal again.",
      };
    case "MISSING_CREDENTIALS":
      return {
        title: "The token file is incomplete",
        advice:
          "The file opened, but some of the credentials Apple puts in it are missing. Download the token from Apple's portal again.",
      };
    case "TOKEN_EXPIRED":
      return {
        title: "This token has already expired",
        advice: "Download a new token for the MDM server in Apple's portal and choose that file.",
      };
    case "APPLE_REJECTED":
      return {
        title: "Apple did not accept this token",
        advice:
          "The token may have been replaced by a newer download, or the MDM server was removed. Download a new token in Apple's portal and try again.",
      };
    case "TERMS_NOT_ACCEPTED":
      return {
        title: "Apple's new terms have not been accepted",
        advice:
          "An administrator must sign in to Apple Business Manager (or Apple School Manager) and accept the updated terms and conditions. Then try again; the same file will work.",
      };
    case "ACCESS_DENIED":
      return {
        title: "Apple denied access for this MDM server",
        advice:
          "Check in Apple's portal that the MDM server still exists and that the account that downloaded the token still has the right role.",
      };
    case "APPLE_UNAVAILABLE":
      return {
        title: "Apple could not be reached",
        advice:
          "Depot checks every token with Apple before using it. Check the network connection (and any proxy), then try again.",
      };
    case "DUPLICATE_TOKEN":
      return {
        title: "This MDM server already has a token in Depot",
        advice:
          "Open that token and choose Renew to replace its token file; its profiles and devices are kept.",
        action: "tokenList",
      };
    case "APPLE_ID_MISMATCH":
      return {
        title: "The Apple ID does not match",
        advice:
          "Enter the Apple ID that was used when this token was first added. It is shown on the token's page.",
      };
    case "FILE_UNREADABLE":
      return {
        title: "The file could not be read",
        advice: "Check that the file still exists and that you can open it, then choose it again.",
      };
    case "LIMIT_REACHED":
      return {
        title: "This workspace has reached its token limit",
        advice: "Delete a token you no longer use before adding another.",
      };
    case "INVALID_INPUT":
      return {
        title: "Something in the form is not acceptable",
        advice: "Check the fields named in the message and try again.",
      };
    case "FORBIDDEN":
      return {
        title: "Your role does not allow this",
        advice: "Ask an administrator to do it, or to change your role.",
      };
    case "UNAUTHENTICATED":
      return {
        title: "You are not signed in",
        advice: "Sign in again to continue.",
      };
    default:
      return {
        title: "Something went wrong",
        advice: "Try again. If it keeps failing, restart Depot.",
      };
  }
}
