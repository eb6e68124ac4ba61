import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { Component, type ErrorInfo, type ReactNode } from "react";

type Props = { children: ReactNode };
type State = { error: Error | null };

/**
 * Catches rendering errors so one broken page does not blank the window;
 * the navigation stays usable and the page can be retried.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("Depot UI error", error, info.componentStack);
  }

  private readonly retry = () => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" data-testid="error-boundary">
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>This page stopped working</MessageBarTitle>
            {error.message || "An unexpected error occurred."}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={this.retry}>Try again</Button>
          </MessageBarActions>
        </MessageBar>
      </div>
    );
  }
}
