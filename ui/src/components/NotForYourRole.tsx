import { Link, MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { Page } from "./Page";

/**
 * A page someone's role on a Depot server does not allow (a bookmark to a
 * wizard, say): says so instead of a form the server would refuse.
 */
export function NotForYourRole({
  title,
  what,
  back,
}: {
  title: string;
  /** What the role may not do, e.g. "add tokens". */
  what: string;
  /** The route path to go back to, e.g. "/tokens". */
  back: string;
}) {
  return (
    <Page testId="not-for-your-role" title={title}>
      <MessageBar intent="warning" layout="multiline" data-testid="not-for-your-role">
        <MessageBarBody>
          <MessageBarTitle>Your role cannot {what}</MessageBarTitle>
          Ask a Depot administrator to do it, or to change your role.{" "}
          <Link href={`#${back}`}>Go back</Link>
        </MessageBarBody>
      </MessageBar>
    </Page>
  );
}
