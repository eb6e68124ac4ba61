import { Button, Field, Select, makeStyles, tokens } from "@fluentui/react-components";
import {
  Add20Regular,
  DocumentArrowUp20Regular,
  DocumentSettings20Regular,
  Key20Regular,
} from "@fluentui/react-icons";
import { Suspense, lazy, useState, type ReactNode } from "react";
import { useProfileCatalogue, useProfileDetail, useProfileList, useTokenList } from "../../app/api";
import { PATHS, PROFILE_PATHS, hrefTo } from "../../app/paths";
import { useCan } from "../../app/session";
import { navigate, useHashPath, useHashQuery } from "../../app/router";
import type { ProfileSummary } from "../../bindings/ProfileSummary";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { EmptyState } from "../../components/EmptyState";
import { NotForYourRole } from "../../components/NotForYourRole";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { useProfileMutations } from "./actions";
import { DeleteProfileDialog, DuplicateProfileDialog, ImportProfileDialog } from "./ProfileDialogs";
import { ProfileTable, type RowAction } from "./ProfileTable";

const useStyles = makeStyles({
  paragraph: {
    margin: 0,
  },
  toolbar: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    alignItems: "flex-end",
    flexWrap: "wrap",
  },
  filter: {
    minWidth: "280px",
  },
  emptyActions: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
    justifyContent: "center",
  },
});

// The wizard and the detail page load on first use: they are most of this
// feature's code, and the list is what opens first.
const ProfileWizard = lazy(() =>
  import("./ProfileWizard").then((m) => ({ default: m.ProfileWizard })),
);
const ProfileDetailPage = lazy(() =>
  import("./ProfileDetailPage").then((m) => ({ default: m.ProfileDetailPage })),
);

function Loading({
  testId,
  title,
  children,
}: {
  testId: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <Suspense
      fallback={
        <Page testId={testId} title={title}>
          <LoadingState label="Loading…" />
        </Page>
      }
    >
      {children}
    </Suspense>
  );
}

/**
 * `/profiles` is the list (`?token=<id>` filters it), `/profiles/new` the
 * wizard, `/profiles/<id>` one profile and `/profiles/<id>/edit` its wizard.
 */
export function ProfilesPage() {
  const path = useHashPath();
  const canManage = useCan("manage");
  const rest = path.slice(PATHS.profiles.length + 1);
  if (rest === "") return <ProfileListPage />;
  const [id = "", sub] = rest.split("/");
  const profileId = decodeURIComponent(id);
  // A bookmark to the wizard, for someone whose role cannot save a profile.
  if ((path === PROFILE_PATHS.create || sub === "edit") && !canManage) {
    return (
      <NotForYourRole
        title="Enrollment profile"
        what="create or edit enrollment profiles"
        back={PATHS.profiles}
      />
    );
  }
  if (path === PROFILE_PATHS.create) return <CreateProfilePage />;
  if (sub === "edit") return <EditProfilePage key={profileId} id={profileId} />;
  return (
    <Loading testId="profile-detail" title="Enrollment profile">
      <ProfileDetailPage key={profileId} id={profileId} />
    </Loading>
  );
}

const PAGE_DESCRIPTION =
  "Enrollment profiles decide how a device is set up the first time it is switched on.";

function ProfileListPage() {
  const styles = useStyles();
  const query = useHashQuery();
  const filter = query.get("token");
  const tokenList = useTokenList();
  const tokens = tokenList.data?.tokens ?? [];
  const hasTokens = tokens.length > 0;
  // A token id left in the address after the token was deleted means "all tokens".
  const tokenId = filter !== null && tokens.some((t) => t.id === filter) ? filter : undefined;
  const list = useProfileList(tokenId, tokenList.isSuccess && hasTokens);
  const [importOpen, setImportOpen] = useState(false);

  const createHref = tokenId ? PROFILE_PATHS.createFor(tokenId) : PROFILE_PATHS.create;
  // Creating and importing profiles are an administrator's.
  const canManage = useCan("manage");
  const actions =
    hasTokens && canManage ? (
      <>
        <Button
          appearance="primary"
          icon={<Add20Regular />}
          onClick={() => navigate(createHref)}
          data-testid="profiles-create"
        >
          Create profile
        </Button>
        <Button
          icon={<DocumentArrowUp20Regular />}
          onClick={() => setImportOpen(true)}
          data-testid="profiles-import"
        >
          Import profile file
        </Button>
      </>
    ) : undefined;

  let body;
  if (tokenList.isPending) {
    body = <LoadingState label="Loading profiles…" />;
  } else if (tokenList.isError) {
    body = (
      <ErrorState
        title="Couldn't load enrollment program tokens"
        error={tokenList.error}
        onRetry={() => void tokenList.refetch()}
        retrying={tokenList.isFetching}
      />
    );
  } else if (!hasTokens) {
    body = (
      <EmptyState
        testId="profiles-empty"
        icon={<DocumentSettings20Regular />}
        title="No enrollment profiles yet"
        actions={
          <Button
            as="a"
            href={hrefTo("tokens")}
            appearance="primary"
            icon={<Key20Regular />}
            data-testid="profiles-empty-tokens"
          >
            Go to enrollment program tokens
          </Button>
        }
      >
        <p className={styles.paragraph}>
          A profile bundles the choices applied during Setup Assistant: whether the device is
          supervised, whether users can remove management, how they sign in, and which setup screens
          they never see. Once created, a profile can be assigned to devices or made the default for
          new ones.
        </p>
        <p className={styles.paragraph}>
          Every profile belongs to one enrollment program token. Add a token first; then create its
          profiles here.
        </p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        <div className={styles.toolbar}>
          <Field label="Token" className={styles.filter}>
            <Select
              value={tokenId ?? ""}
              onChange={(_, data) =>
                navigate(data.value === "" ? PATHS.profiles : PROFILE_PATHS.forToken(data.value))
              }
              data-testid="profiles-token-filter"
            >
              <option value="">All tokens</option>
              {tokens.map((token) => (
                <option key={token.id} value={token.id}>
                  {token.serverName}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {list.isPending ? (
          <LoadingState label="Loading profiles…" />
        ) : list.isError ? (
          <ErrorState
            title="Couldn't load enrollment profiles"
            error={list.error}
            onRetry={() => void list.refetch()}
            retrying={list.isFetching}
          />
        ) : list.data.profiles.length === 0 ? (
          <NoProfiles
            token={tokens.find((t) => t.id === tokenId) ?? null}
            onCreate={() => navigate(createHref)}
            onImport={() => setImportOpen(true)}
          />
        ) : (
          <ProfileRows profiles={list.data.profiles} showToken={tokenId === undefined} />
        )}
      </>
    );
  }

  return (
    <Page testId="profiles" title="Profiles" description={PAGE_DESCRIPTION} actions={actions}>
      {body}
      {importOpen ? (
        <ImportProfileDialog
          open
          onOpenChange={setImportOpen}
          tokens={tokens}
          initialTokenId={tokenId ?? null}
        />
      ) : null}
    </Page>
  );
}

function NoProfiles({
  token,
  onCreate,
  onImport,
}: {
  token: TokenSummary | null;
  onCreate: () => void;
  onImport: () => void;
}) {
  const styles = useStyles();
  const canManage = useCan("manage");
  return (
    <EmptyState
      testId="profiles-empty"
      icon={<DocumentSettings20Regular />}
      title={token ? `${token.serverName} has no profiles yet` : "No enrollment profiles yet"}
      actions={
        canManage ? (
          <div className={styles.emptyActions}>
            <Button
              appearance="primary"
              icon={<Add20Regular />}
              onClick={onCreate}
              data-testid="profiles-empty-create"
            >
              Create profile
            </Button>
            <Button
              icon={<DocumentArrowUp20Regular />}
              onClick={onImport}
              data-testid="profiles-empty-import"
            >
              Import profile file
            </Button>
          </div>
        ) : (
          <p className={styles.paragraph}>Ask a Depot administrator to create one.</p>
        )
      }
    >
      <p className={styles.paragraph}>
        A profile bundles the choices applied during Setup Assistant: whether the device is
        supervised, whether users can remove management, how they sign in, and which setup screens
        they never see.
      </p>
      <p className={styles.paragraph}>
        Create one with the wizard, or import a Depot profile file exported from another workspace.
        After that, assign it to devices or make it the default for new ones.
      </p>
    </EmptyState>
  );
}

function ProfileRows({
  profiles,
  showToken,
}: {
  profiles: readonly ProfileSummary[];
  showToken: boolean;
}) {
  const { setDefault, clearDefault, retryUpload } = useProfileMutations();
  const [dialog, setDialog] = useState<{
    kind: "duplicate" | "delete";
    profile: ProfileSummary;
  } | null>(null);

  const onAction = (action: RowAction, profile: ProfileSummary) => {
    setDefault.reset();
    clearDefault.reset();
    retryUpload.reset();
    switch (action) {
      case "duplicate":
      case "delete":
        setDialog({ kind: action, profile });
        break;
      case "setDefault":
        setDefault.mutate(profile);
        break;
      case "clearDefault":
        clearDefault.mutate(profile);
        break;
      case "retryUpload":
        retryUpload.mutate(profile);
        break;
    }
  };

  const pending = [setDefault, clearDefault, retryUpload].find((m) => m.isPending);
  const failed = [
    { m: setDefault, title: "Couldn't set the default profile" },
    { m: clearDefault, title: "Couldn't clear the default profile" },
    { m: retryUpload, title: "Couldn't upload the profile" },
  ].find(({ m }) => m.isError);

  return (
    <>
      {failed ? <ErrorState title={failed.title} error={failed.m.error} /> : null}
      <ProfileTable
        profiles={profiles}
        showToken={showToken}
        onAction={onAction}
        busyId={pending?.variables?.id ?? null}
      />
      {dialog?.kind === "duplicate" ? (
        <DuplicateProfileDialog
          profile={dialog.profile}
          open
          onOpenChange={(open) => !open && setDialog(null)}
        />
      ) : null}
      {dialog?.kind === "delete" ? (
        <DeleteProfileDialog
          profile={dialog.profile}
          open
          onOpenChange={(open) => !open && setDialog(null)}
        />
      ) : null}
    </>
  );
}

function CreateProfilePage() {
  const query = useHashQuery();
  const catalogue = useProfileCatalogue();
  const tokenList = useTokenList();
  if (catalogue.isPending || tokenList.isPending) {
    return (
      <Page testId="profile-create" title="Create enrollment profile">
        <LoadingState label="Loading…" />
      </Page>
    );
  }
  if (catalogue.isError || tokenList.isError) {
    const failed = catalogue.isError ? catalogue : tokenList;
    return (
      <Page testId="profile-create" title="Create enrollment profile">
        <ErrorState
          title="Couldn't open the profile wizard"
          error={failed.error}
          onRetry={() => void failed.refetch()}
          retrying={failed.isFetching}
        />
      </Page>
    );
  }
  const tokens = tokenList.data.tokens;
  if (tokens.length === 0) {
    return (
      <Page testId="profile-create" title="Create enrollment profile">
        <EmptyState
          testId="profiles-empty"
          icon={<Key20Regular />}
          title="Add a token first"
          actions={
            <Button
              as="a"
              href={hrefTo("tokens")}
              appearance="primary"
              data-testid="profiles-empty-tokens"
            >
              Go to enrollment program tokens
            </Button>
          }
        >
          Every profile belongs to an enrollment program token, and there is none yet.
        </EmptyState>
      </Page>
    );
  }
  const wanted = query.get("token");
  const initialTokenId = tokens.some((t) => t.id === wanted)
    ? wanted
    : tokens.length === 1
      ? (tokens[0]?.id ?? null)
      : null;
  return (
    <Loading testId="profile-create" title="Create enrollment profile">
      <ProfileWizard
        mode="create"
        catalogue={catalogue.data}
        tokens={tokens}
        initialTokenId={initialTokenId}
      />
    </Loading>
  );
}

function EditProfilePage({ id }: { id: string }) {
  const catalogue = useProfileCatalogue();
  const detail = useProfileDetail(id);
  if (catalogue.isPending || detail.isPending) {
    return (
      <Page testId="profile-edit" title="Edit enrollment profile">
        <LoadingState label="Loading the profile…" />
      </Page>
    );
  }
  if (catalogue.isError || detail.isError) {
    const failed = catalogue.isError ? catalogue : detail;
    return (
      <Page testId="profile-edit" title="Edit enrollment profile">
        <ErrorState
          title="Couldn't open the profile"
          error={failed.error}
          onRetry={() => void failed.refetch()}
          retrying={failed.isFetching}
        />
      </Page>
    );
  }
  return (
    <Loading testId="profile-edit" title="Edit enrollment profile">
      <ProfileWizard mode="edit" catalogue={catalogue.data} profile={detail.data} />
    </Loading>
  );
}
