import { AlertBanner } from "./AlertBanner";
import {
  Button,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useRef, type MouseEvent } from "react";
import { ErrorBoundary } from "./ErrorBoundary";
import { NotFoundPage } from "./NotFoundPage";
import { useAlertNotifications } from "./notifications";
import { useWorkspaceInfo } from "./api";
import { ROUTES, matchRoute } from "./routes";
import { SimulatorBadge } from "../components/SimulatorBadge";
import { useHashPath } from "./router";
import { useSession } from "./session";
import { useServerStatus } from "./serverConnection";
import { SignOut20Regular } from "@fluentui/react-icons";
import logoUrl from "../assets/depot-mark.svg";

/** "depot.example.org:8443" from a server URL, for the top bar. */
function hostOf(url: string | null): string {
  if (!url) return "a Depot server";
  return url.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

const useStyles = makeStyles({
  shell: {
    display: "grid",
    gridTemplateRows: "48px minmax(0, 1fr)",
    gridTemplateColumns: "260px minmax(0, 1fr)",
    gridTemplateAreas: `"top top" "nav main"`,
    height: "100%",
    backgroundColor: tokens.colorNeutralBackground2,
  },
  skipLink: {
    position: "absolute",
    left: tokens.spacingHorizontalM,
    top: "-100px",
    zIndex: 10,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForegroundLink,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow16,
    ":focus": {
      top: tokens.spacingVerticalS,
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
    },
  },
  topBar: {
    gridArea: "top",
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    paddingInline: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  topBarEnd: {
    marginLeft: "auto",
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  signedIn: {
    color: "inherit",
    whiteSpace: "nowrap",
  },
  signOut: {
    color: tokens.colorNeutralForegroundOnBrand,
    ":hover": { color: tokens.colorNeutralForegroundOnBrand },
    ":hover:active": { color: tokens.colorNeutralForegroundOnBrand },
  },
  logo: {
    width: "24px",
    height: "24px",
  },
  product: {
    color: "inherit",
  },
  tagline: {
    color: "inherit",
    opacity: 0.85,
    paddingLeft: tokens.spacingHorizontalM,
    borderLeft: `${tokens.strokeWidthThin} solid currentColor`,
  },
  // Fluent fades the selection bar in with a CSS animation; WebKitGTK (the Linux
  // webview) can leave the previous item's bar painted. A static bar is clearer anyway.
  navItem: {
    "::after": { animationName: "none" },
    "& .fui-Icon-filled, & .fui-Icon-regular": { animationName: "none" },
  },
  nav: {
    gridArea: "nav",
    width: "100%",
    minWidth: 0,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  main: {
    gridArea: "main",
    overflow: "auto",
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXXL}`,
    ":focus": {
      outline: "none",
    },
  },
});

export function Layout() {
  const styles = useStyles();
  const path = useHashPath();
  const route = matchRoute(path);
  const mainRef = useRef<HTMLElement>(null);
  const info = useWorkspaceInfo();
  const simulatorUrl = info.data?.simulatorUrl ?? null;
  const { user, signOut } = useSession();
  // The desktop window connected to a Depot server (Settings → Depot server).
  const serverStatus = useServerStatus();
  const server = serverStatus.data?.connected ? serverStatus.data : null;
  // Desktop notifications for new and worsened alerts (the desktop app only).
  useAlertNotifications();

  // An in-page "#main" link would be read as a route, so the skip link moves focus itself.
  const skipToContent = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    mainRef.current?.focus();
  };

  return (
    <div className={styles.shell}>
      <a
        href="#main-content"
        className={styles.skipLink}
        onClick={skipToContent}
        data-testid="skip-link"
      >
        Skip to main content
      </a>
      <header className={styles.topBar}>
        <img src={logoUrl} alt="" className={styles.logo} />
        <Text as="span" size={400} weight="semibold" className={styles.product}>
          Depot
        </Text>
        <Text as="span" size={300} className={styles.tagline}>
          Apple Automated Device Enrollment
        </Text>
        {simulatorUrl || user || server ? (
          <div className={styles.topBarEnd}>
            {server ? (
              <Text
                as="span"
                size={300}
                className={styles.signedIn}
                data-testid="topbar-server"
                title={`Connected to ${server.url ?? ""}: Settings → Depot server switches back`}
              >
                On <strong>{hostOf(server.url)}</strong> as <strong>{server.name}</strong> (
                {server.role})
              </Text>
            ) : null}
            {simulatorUrl ? (
              <span data-testid="topbar-simulator" title={simulatorUrl}>
                <SimulatorBadge appearance="filled" />
              </span>
            ) : null}
            {user ? (
              <>
                <Text as="span" size={300} className={styles.signedIn} data-testid="topbar-user">
                  Signed in as <strong>{user.name}</strong> ({user.role})
                </Text>
                <Button
                  appearance="transparent"
                  icon={<SignOut20Regular />}
                  className={styles.signOut}
                  onClick={signOut}
                  data-testid="sign-out"
                >
                  Sign out
                </Button>
              </>
            ) : null}
          </div>
        ) : null}
      </header>
      <NavDrawer
        open
        type="inline"
        tabbable
        selectedValue={route?.id ?? ""}
        className={styles.nav}
        aria-label="Main navigation"
      >
        <NavDrawerBody>
          {ROUTES.map(({ id, path: routePath, label, icon: Icon }) => (
            <NavItem
              key={id}
              value={id}
              href={`#${routePath}`}
              icon={<Icon />}
              className={styles.navItem}
              data-testid={`nav-${id}`}
            >
              {label}
            </NavItem>
          ))}
        </NavDrawerBody>
      </NavDrawer>
      <main id="main-content" ref={mainRef} tabIndex={-1} className={styles.main}>
        <AlertBanner />
        {/* Keyed by path: leaving a broken page resets the boundary. */}
        <ErrorBoundary key={path}>
          {route ? <route.Page /> : <NotFoundPage path={path} />}
        </ErrorBoundary>
      </main>
    </div>
  );
}
