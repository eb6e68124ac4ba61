import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import { isApiError } from "../../app/api";
import {
  canConnectToServer,
  probeServer,
  useServerStatus,
  useServerSwitch,
  type ServerStatus,
} from "../../app/serverConnection";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    maxWidth: "560px",
  },
  paragraph: { margin: 0, color: tokens.colorNeutralForeground2 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
  fingerprint: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    wordBreak: "break-all",
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    "& dt": { color: tokens.colorNeutralForeground2 },
    "& dd": { margin: 0 },
  },
});

function messageOf(error: unknown): string {
  if (isApiError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function Connected({ status }: { status: ServerStatus }) {
  const styles = useStyles();
  const { disconnect } = useServerSwitch();
  return (
    <div className={styles.body} data-testid="server-connected">
      <Body1>
        This window works on the Depot server at <strong>{status.url}</strong> as{" "}
        <strong>{status.name}</strong> ({status.role}).
      </Body1>
      <dl className={styles.facts}>
        <dt>Scope tags</dt>
        <dd>{status.scopeTags.length > 0 ? status.scopeTags.join(", ") : "none (every token)"}</dd>
        <dt>Certificate</dt>
        <dd>
          {status.fingerprint ? (
            <>
              pinned, SHA-256 <span className={styles.fingerprint}>{status.fingerprint}</span>
            </>
          ) : status.url?.startsWith("https://") ? (
            "checked by this computer's certificate authorities"
          ) : (
            "none (a server on this computer)"
          )}
        </dd>
        <dt>Session</dt>
        <dd>
          {status.sessionKept
            ? "kept in this computer's keychain until you switch back"
            : "ends when this window closes (no keychain on this computer)"}
        </dd>
      </dl>
      {disconnect.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{messageOf(disconnect.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Button
          data-testid="server-disconnect"
          disabled={disconnect.isPending}
          onClick={() => disconnect.mutate()}
        >
          Switch back to this computer&apos;s workspace
        </Button>
      </div>
    </div>
  );
}

/** How the person proves who they are: a Depot password, or single sign-on. */
type Method = "password" | "browser";

function ConnectForm({ problem }: { problem: string | null }) {
  const styles = useStyles();
  const { connect, connectWithBrowser } = useServerSwitch();
  const [url, setUrl] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [trustAuthorities, setTrustAuthorities] = useState(false);
  const [method, setMethod] = useState<Method>("password");
  const [shown, setShown] = useState<string | null>(null);
  const [probing, setProbing] = useState(false);
  const [probeError, setProbeError] = useState<string | null>(null);

  const https = url.trim().toLowerCase().startsWith("https://");
  const ready = url.trim() !== "" && username.trim() !== "" && password !== "";
  const busy = probing || connect.isPending || connectWithBrowser.isPending;
  const failure =
    probeError ??
    ((connect.error ?? connectWithBrowser.error)
      ? messageOf(connect.error ?? connectWithBrowser.error)
      : null);

  const send = (how: Method, fingerprint: string | null) => {
    if (how === "browser") {
      connect.reset();
      connectWithBrowser.mutate({ url: url.trim(), fingerprint });
    } else {
      connectWithBrowser.reset();
      connect.mutate(
        { url: url.trim(), fingerprint, username: username.trim(), password },
        { onSuccess: () => setPassword("") },
      );
    }
  };

  /** Pins the certificate first when the server is self-signed. */
  const start = (how: Method) => {
    setMethod(how);
    setProbeError(null);
    if (!https || trustAuthorities) {
      send(how, null);
      return;
    }
    setProbing(true);
    probeServer(url.trim())
      .then(setShown, (e: unknown) => setProbeError(messageOf(e)))
      .finally(() => setProbing(false));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready) start("password");
  };

  return (
    <form className={styles.body} onSubmit={submit} data-testid="server-connect-form">
      <p className={styles.paragraph}>
        Work on a workspace your team shares with <code>depot serve</code> instead of this
        computer&apos;s. Your role and scope tags on the server decide what you see and may do.
      </p>
      {problem ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            <MessageBarTitle>The last connection ended</MessageBarTitle>
            {problem}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Field
        label="Server address"
        hint="https://depot.example.org, or http://127.0.0.1:8750 on this computer"
      >
        <Input
          data-testid="server-url"
          value={url}
          onChange={(_, d) => {
            setUrl(d.value);
            setShown(null);
          }}
        />
      </Field>
      <Field label="User name">
        <Input
          data-testid="server-username"
          value={username}
          autoComplete="username"
          onChange={(_, d) => setUsername(d.value)}
        />
      </Field>
      <Field label="Password">
        <Input
          data-testid="server-password"
          type="password"
          value={password}
          autoComplete="current-password"
          onChange={(_, d) => setPassword(d.value)}
        />
      </Field>
      {https ? (
        <Checkbox
          checked={trustAuthorities}
          onChange={(_, d) => {
            setTrustAuthorities(d.checked === true);
            setShown(null);
          }}
          label="The server's certificate comes from a certificate authority this computer trusts (do not pin it)"
        />
      ) : null}
      {shown ? (
        <MessageBar intent="info" data-testid="server-fingerprint">
          <MessageBarBody>
            <MessageBarTitle>Compare the server&apos;s certificate</MessageBarTitle>
            <Caption1>
              It presents SHA-256 <span className={styles.fingerprint}>{shown}</span>. Connect only
              if this is the fingerprint <code>depot serve</code> printed when it started; Depot
              then talks to no other certificate at this address.
            </Caption1>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {connectWithBrowser.isPending ? (
        <MessageBar intent="info" data-testid="server-browser-waiting">
          <MessageBarBody>
            <MessageBarTitle>Finish signing in in your browser</MessageBarTitle>
            Your browser shows your organisation&apos;s sign-in page. Depot waits up to 5 minutes
            and connects when you are done.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {failure ? (
        <MessageBar intent="error" data-testid="server-error">
          <MessageBarBody>{failure}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        {shown ? (
          <>
            <Button
              appearance="primary"
              data-testid="server-trust"
              disabled={busy}
              onClick={() => send(method, shown)}
            >
              It matches: connect
            </Button>
            <Button onClick={() => setShown(null)}>Cancel</Button>
          </>
        ) : (
          <>
            <Button
              appearance="primary"
              type="submit"
              data-testid="server-connect"
              disabled={!ready || busy}
            >
              {https && !trustAuthorities ? "Check the certificate" : "Connect"}
            </Button>
            <Button
              data-testid="server-connect-browser"
              disabled={url.trim() === "" || busy}
              onClick={() => start("browser")}
            >
              Sign in with your organisation&apos;s account
            </Button>
          </>
        )}
      </div>
      <Caption1 className={styles.paragraph}>
        &ldquo;Sign in with your organisation&apos;s account&rdquo; opens your browser at the
        identity provider the server is set up with (Entra ID, Okta, Google Workspace); no user name
        or password is needed here.
      </Caption1>
    </form>
  );
}

/** Settings → "Depot server": connect the desktop window to `depot serve`, or go back. */
export function ServerConnectionCard() {
  const status = useServerStatus();
  if (!canConnectToServer()) return null;
  return (
    <Card data-testid="server-card">
      <CardHeader header={<Subtitle2 as="h2">Depot server</Subtitle2>} />
      {status.data?.connected ? (
        <Connected status={status.data} />
      ) : (
        <ConnectForm problem={status.data?.problem ?? null} />
      )}
    </Card>
  );
}
