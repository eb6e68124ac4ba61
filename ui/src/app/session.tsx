import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { onAccessChanged, onSignedOut, session, type Action, type SessionUser } from "../platform";
import { useBackendChanges } from "./changes";
import { useServerStatus } from "./serverConnection";
import { SignInPage } from "./SignInPage";

export type { Action, SessionUser } from "../platform";

type SessionContextValue = {
  /** Who is signed in to the server; `null` in the desktop app on its own workspace. */
  user: SessionUser | null;
  signOut: () => void;
};

const SessionContext = createContext<SessionContextValue>({ user: null, signOut: () => undefined });

/** Who is signed in (browser) or `null` (desktop on its own workspace). */
export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}

/**
 * Whether the signed-in person's role may take `action` (the server's own
 * list, GET /api/v1/session): buttons for what would be refused are left out.
 * Always true in the desktop app, whose owner may do everything. The server
 * decides all the same.
 */
export function useCan(action: Action): boolean {
  const { user } = useSession();
  return user === null || user.actions.includes(action);
}

/**
 * Whether the workspace on screen is a Depot server's (a browser, or the
 * desktop window connected to one): its scheduler syncs whether or not
 * anyone has Depot open.
 */
export function useServedWorkspace(): boolean {
  const { user } = useSession();
  const status = useServerStatus();
  return user !== null || status.data?.connected === true;
}

type State =
  | { kind: "checking" }
  | { kind: "unreachable"; message: string }
  | { kind: "signedOut"; notice: string | null }
  | { kind: "signedIn"; user: SessionUser };

const useStyles = makeStyles({
  centre: {
    display: "grid",
    placeItems: "center",
    height: "100%",
    padding: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  unreachable: { maxWidth: "560px" },
});

/**
 * Shows the app to someone who may see it. In a browser served by
 * `depot serve`: the sign-in page until the server knows who this is, and
 * again whenever it says the session ended. In the desktop app: the app at
 * once. Nothing cached for one person is shown to the next.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [service] = useState(session);
  if (!service.signInRequired) {
    return (
      <SessionContext.Provider value={LOCAL}>
        <BackendChanges />
        {children}
      </SessionContext.Provider>
    );
  }
  return <ServerSession>{children}</ServerSession>;
}

const LOCAL: SessionContextValue = { user: null, signOut: () => undefined };

function ServerSession({ children }: { children: ReactNode }) {
  const styles = useStyles();
  const client = useQueryClient();
  const [service] = useState(session);
  const [state, setState] = useState<State>({ kind: "checking" });

  // Who is signed in: asked once on load, and again on "Try again".
  const load = useCallback(() => {
    service.current().then(
      (user) => setState(user ? { kind: "signedIn", user } : { kind: "signedOut", notice: null }),
      (error: unknown) =>
        setState({
          kind: "unreachable",
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  }, [service]);
  useEffect(load, [load]);
  const retry = () => {
    setState({ kind: "checking" });
    load();
  };

  // A call answered 401: the session expired or was ended elsewhere.
  useEffect(
    () =>
      onSignedOut(() =>
        setState((current) =>
          current.kind === "signedIn"
            ? { kind: "signedOut", notice: "Your session has ended. Sign in again to continue." }
            : current,
        ),
      ),
    [],
  );

  // A call refused for the role: an administrator may have changed it; the
  // top bar and the buttons offered follow what the server now says.
  useEffect(
    () =>
      onAccessChanged(() => {
        service.current().then(
          (user) =>
            setState((current) => {
              if (current.kind !== "signedIn") return current;
              if (!user)
                return {
                  kind: "signedOut",
                  notice: "Your session has ended. Sign in again to continue.",
                };
              const same =
                user.role === current.user.role &&
                user.actions.join() === current.user.actions.join();
              return same ? current : { kind: "signedIn", user };
            }),
          () => undefined,
        );
      }),
    [service],
  );

  const signedIn = useCallback(
    (user: SessionUser) => {
      // Start clean: nothing fetched for whoever was signed in before.
      client.clear();
      setState({ kind: "signedIn", user });
    },
    [client],
  );

  const signOut = useCallback(() => {
    void service
      .signOut()
      .catch(() => undefined)
      .then(() => {
        client.clear();
        setState({ kind: "signedOut", notice: "You have signed out." });
      });
  }, [client, service]);

  if (state.kind === "checking") {
    return (
      <div className={styles.centre}>
        <Spinner label="Connecting to Depot…" data-testid="session-checking" />
      </div>
    );
  }
  if (state.kind === "unreachable") {
    return (
      <div className={styles.centre}>
        <MessageBar
          intent="error"
          layout="multiline"
          className={styles.unreachable}
          data-testid="session-unreachable"
        >
          <MessageBarBody>
            <MessageBarTitle>Depot's server cannot be reached</MessageBarTitle>
            {state.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={retry}>Try again</Button>
          </MessageBarActions>
        </MessageBar>
      </div>
    );
  }
  if (state.kind === "signedOut") {
    return <SignInPage service={service} notice={state.notice} onSignedIn={signedIn} />;
  }
  return (
    <SessionContext.Provider value={{ user: state.user, signOut }}>
      <BackendChanges />
      {children}
    </SessionContext.Provider>
  );
}

/** Listens for background changes while someone may see them. */
function BackendChanges() {
  useBackendChanges();
  return null;
}
