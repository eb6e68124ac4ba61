import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

type NotListedYetProps = {
  count: number;
  /** Singular and plural noun, e.g. ["device", "devices"]. */
  noun: readonly [string, string];
  testId?: string;
};

/**
 * For a page whose list view is not built yet while the workspace already
 * holds items of that kind: say how many there are instead of pretending
 * the workspace is empty.
 */
export function NotListedYet({ count, noun, testId }: NotListedYetProps) {
  const formatted = new Intl.NumberFormat().format(count);
  const word = count === 1 ? noun[0] : noun[1];
  return (
    <MessageBar intent="info" layout="multiline" data-testid={testId}>
      <MessageBarBody>
        <MessageBarTitle>
          This workspace holds {formatted} {word}.
        </MessageBarTitle>
        Browsing them here is not available in this version of Depot yet.
      </MessageBarBody>
    </MessageBar>
  );
}
