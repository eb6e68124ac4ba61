import {
  Button,
  Card,
  Divider,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { RpcError, type SessionService, type SessionUser } from "../platform";
import { PeopleTeam20Regular } from "@fluentui/react-icons";
import logoUrl from "../assets/depot-mark.svg";

const useStyles = makeStyles({
  page: {
    display: "grid",
    placeItems: "center",
    minHeight: "100%",
    padding: tokens.spacingHorizontalXXL,
    boxSizing: "border-box",
    backgroundColor: tokens.colorNeutralBackground2,
  },
  card: {
    width: "min(400px, 100%)",
    padding: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalL,
  },
  brand: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  logo: { width: "32px", height: "32px" },
  heading: { margin: 0 },
  subtitle: { color: tokens.colorNeutralForeground2, margin: 0 },
  form: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalM,
  },
  submit: { alignSelf: "stretch", marginTop: tokens.spacingVerticalS },
});

/** The server's reason, or a plain one when it sent none. */
function reasonOf(error: unknown): { title: string; message: string } {
  if (error instanceof RpcError) {
    // The server slows down guessing: it says how long to wait.
    if (error.code === "LIMIT_REACHED") {
      return { title: "Sign-in paused", message: capitalise(error.message) };
    }
    if (error.code === "UNAUTHENTICATED") {
      return { title: "Sign-in refused", message: capitalise(error.message) };
    }
    return { title: "Sign-in failed", message: capitalise(error.message) };
  }
  return {
    title: "Sign-in failed",
    message: error instanceof Error ? error.message : String(error),
  };
}

function capitalise(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * Signing in to a Depot server in the browser: the account an administrator
 * made with `depot users add`. The server's reason is shown as it says it
 * (a wrong password and a disabled account read the same, on purpose).
 */
export function SignInPage({
  service,
  notice,
  onSignedIn,
}: {
  service: SessionService;
  /** Why the sign-in page is back (the session ended, signed out). */
  notice: string | null;
  onSignedIn: (user: SessionUser) => void;
}) {
  const styles = useStyles();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  // The organisation's identity provider, when the server offers one.
  const [providerUrl, setProviderUrl] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    service.identityProvider?.().then(
      (url) => current && setProviderUrl(url),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [service]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending || username.trim() === "" || password === "") return;
    setPending(true);
    setFailure(null);
    service.signIn(username.trim(), password).then(
      (user) => onSignedIn(user),
      (error: unknown) => {
        setPending(false);
        setPassword("");
        setFailure(reasonOf(error));
        // Ready for the next try once the field is enabled again.
        setTimeout(() => passwordRef.current?.focus(), 0);
      },
    );
  };

  return (
    <main className={styles.page} data-testid="signin-page">
      <Card className={styles.card}>
        <div className={styles.brand}>
          <img src={logoUrl} alt="" className={styles.logo} />
          <Text as="h1" size={600} weight="semibold" className={styles.heading}>
            Sign in to Depot
          </Text>
        </div>
        <Text as="p" className={styles.subtitle}>
          Apple Automated Device Enrollment. Use the account your Depot administrator gave you.
        </Text>
        {notice && !failure ? (
          <MessageBar intent="info" data-testid="signin-notice">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
        {failure ? (
          <MessageBar intent="error" layout="multiline" data-testid="signin-error" role="alert">
            <MessageBarBody>
              <MessageBarTitle>{failure.title}</MessageBarTitle>
              {failure.message}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <form className={styles.form} onSubmit={submit} noValidate>
          <Field label="User name" required>
            <Input
              value={username}
              onChange={(_, data) => setUsername(data.value)}
              autoComplete="username"
              // The page is only this form: start in it.
              autoFocus
              autoCapitalize="none"
              spellCheck={false}
              disabled={pending}
              data-testid="signin-username"
            />
          </Field>
          <Field label="Password" required>
            <Input
              type="password"
              value={password}
              onChange={(_, data) => setPassword(data.value)}
              autoComplete="current-password"
              input={{ ref: passwordRef }}
              disabled={pending}
              data-testid="signin-password"
            />
          </Field>
          <Button
            type="submit"
            appearance="primary"
            className={styles.submit}
            disabled={pending || username.trim() === "" || password === ""}
            icon={pending ? <Spinner size="tiny" /> : null}
            data-testid="signin-submit"
          >
            {pending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        {providerUrl ? (
          <>
            <Divider>or</Divider>
            <Button
              as="a"
              href={providerUrl}
              appearance="secondary"
              icon={<PeopleTeam20Regular />}
              data-testid="signin-oidc"
            >
              Sign in with your organisation
            </Button>
          </>
        ) : null}
      </Card>
    </main>
  );
}
