import {
  Badge,
  Body1,
  Button,
  Card,
  CardHeader,
  Link,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwise20Regular,
  ArrowDownload20Regular,
  Copy20Regular,
  Delete20Regular,
  Edit20Regular,
  Star20Regular,
  StarOff20Regular,
} from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { call, useProfileCatalogue, useProfileDetail } from "../../app/api";
import { saveOutput } from "../../app/files";
import { DEVICE_PATHS, PROFILE_PATHS, TOKEN_PATHS, hrefTo } from "../../app/paths";
import { navigate, useHashQuery } from "../../app/router";
import { useCan } from "../../app/session";
import type { ExportedFile } from "../../bindings/ExportedFile";
import type { ProfileDetail } from "../../bindings/ProfileDetail";
import { CopyButton } from "../../components/CopyButton";
import { ErrorState } from "../../components/ErrorState";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { platformLabel } from "../../components/platforms";
import { useProfileMutations } from "./actions";
import { fieldLabel } from "./draft";
import { formatCount, formatDateTime } from "./format";
import { HandoffDialog } from "./HandoffDialog";
import { DeleteProfileDialog, DuplicateProfileDialog } from "./ProfileDialogs";
import { ProfileSummary } from "./ProfileSummary";
import { defaultExplanation } from "./ProfileTable";
import { ReassignmentProgress } from "./ReassignmentProgress";
import { AppleJson } from "./ReviewStep";
import { useProfileStyles } from "./styles";
import { UploadBadge } from "./UploadBadge";
import { VersionHistory } from "./VersionHistory";

const useStyles = makeStyles({
  badges: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
  },
  sections: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(380px, 1fr))",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
  },
  card: {
    paddingBottom: tokens.spacingVerticalL,
  },
  wide: {
    gridColumn: "1 / -1",
  },
  rule: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  ruleText: {
    flexGrow: 1,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
  },
});

export function ProfileDetailPage({ id }: { id: string }) {
  const styles = useProfileStyles();
  const detail = useProfileDetail(id);
  if (detail.isPending) {
    return (
      <Page testId="profile-detail" title="Enrollment profile">
        <LoadingState label="Loading the profile…" />
      </Page>
    );
  }
  if (detail.isError) {
    return (
      <Page testId="profile-detail" title="Enrollment profile">
        <ErrorState
          title="Couldn't load this profile"
          error={detail.error}
          onRetry={() => void detail.refetch()}
          retrying={detail.isFetching}
        />
        <Link href={hrefTo("profiles")} className={styles.back}>
          Back to all profiles
        </Link>
      </Page>
    );
  }
  return <ProfileDetailView profile={detail.data} />;
}

type Dialog = "duplicate" | "delete" | "handoff" | null;

function ProfileDetailView({ profile }: { profile: ProfileDetail }) {
  const styles = useProfileStyles();
  const own = useStyles();
  const { summary } = profile;
  const catalogue = useProfileCatalogue();
  const query = useHashQuery();
  const [dialog, setDialog] = useState<Dialog>(null);
  const { setDefault, clearDefault, retryUpload } = useProfileMutations();
  // Changing profiles is an administrator's; everyone may export.
  const canManage = useCan("manage");
  // A re-assignment started by the edit that led here, or by a retried upload.
  const runId = retryUpload.data?.reassignment?.id ?? query.get("run");
  const created = query.get("created") === "1";
  const saved = query.get("saved") === "1";
  const upload = summary.upload;

  const exportFile = useMutation({
    mutationFn: async (kind: "depot" | "apple") => {
      const command = kind === "depot" ? "profiles.export" : "profiles.exportApple";
      const file: ExportedFile = await call(command, { id: summary.id });
      return saveOutput({
        fileName: file.fileName,
        filterName: kind === "depot" ? "Depot profile file" : "Apple profile JSON",
        extensions: ["json"],
        mimeType: "application/json",
        produce: () => Promise.resolve({ result: file, text: file.text }),
      });
    },
  });

  const actionError = [
    { m: setDefault, title: "Couldn't set the default profile" },
    { m: clearDefault, title: "Couldn't clear the default profile" },
    { m: exportFile, title: "Couldn't export the profile" },
  ].find(({ m }) => m.isError);

  return (
    <Page
      testId="profile-detail"
      title={summary.name}
      description={
        <span className={own.badges}>
          <span>
            <Link href={`#${TOKEN_PATHS.detail(summary.tokenId)}`}>{summary.tokenName}</Link> ·{" "}
            <span data-testid="detail-platform">{platformLabel(summary.platform)}</span> · version{" "}
            {summary.version}
          </span>
          {summary.isDefault ? (
            <Badge appearance="filled" color="brand" data-testid="profile-default">
              Default for {platformLabel(summary.platform)}
            </Badge>
          ) : null}
          <UploadBadge upload={upload} testId="detail-upload-badge" />
        </span>
      }
      actions={
        <>
          {canManage ? (
            <>
              <Button
                appearance="primary"
                icon={<Edit20Regular />}
                onClick={() => navigate(PROFILE_PATHS.edit(summary.id))}
                data-testid="profile-edit"
              >
                Edit
              </Button>
              <Button
                icon={<Copy20Regular />}
                onClick={() => setDialog("duplicate")}
                data-testid="profile-duplicate"
              >
                Duplicate
              </Button>
              {summary.isDefault ? (
                <Button
                  icon={<StarOff20Regular />}
                  disabled={clearDefault.isPending}
                  onClick={() => clearDefault.mutate(summary)}
                  data-testid="profile-clear-default"
                >
                  Clear {platformLabel(summary.platform)} default
                </Button>
              ) : (
                <Tooltip content={defaultExplanation(summary)} relationship="description">
                  <Button
                    icon={<Star20Regular />}
                    disabled={setDefault.isPending}
                    onClick={() => setDefault.mutate(summary)}
                    data-testid="profile-set-default"
                  >
                    Set as default for {platformLabel(summary.platform)}
                  </Button>
                </Tooltip>
              )}
            </>
          ) : null}
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button icon={<ArrowDownload20Regular />} data-testid="profile-export">
                Export
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => exportFile.mutate("depot")} data-testid="export-profile">
                  Profile file (Depot)
                </MenuItem>
                <MenuItem
                  onClick={() => exportFile.mutate("apple")}
                  data-testid="export-apple-json"
                >
                  Apple profile JSON
                </MenuItem>
                <MenuItem onClick={() => setDialog("handoff")} data-testid="handoff-files">
                  MDM handoff files…
                </MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
          {canManage ? (
            <Button
              icon={<Delete20Regular />}
              onClick={() => setDialog("delete")}
              data-testid="profile-delete"
            >
              Delete
            </Button>
          ) : null}
        </>
      }
    >
      <Link href={hrefTo("profiles")} className={styles.back}>
        ← All enrollment profiles
      </Link>

      {created && upload.state === "uploaded" ? (
        <MessageBar intent="success" layout="multiline" data-testid="profile-created">
          <MessageBarBody>
            <MessageBarTitle>Profile saved and uploaded</MessageBarTitle>
            Apple has the profile. Assign it to devices, or make it the{" "}
            {platformLabel(summary.platform)} default so that new {platformLabel(summary.platform)}{" "}
            devices of {summary.tokenName} get it after each sync.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {saved && !created ? (
        <MessageBar intent="success" layout="multiline" data-testid="profile-saved">
          <MessageBarBody>
            <MessageBarTitle>Version {summary.version} saved</MessageBarTitle>
            {upload.state === "uploaded"
              ? "Apple has the new version."
              : "It is saved in Depot; the upload to Apple still has to succeed."}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {upload.state !== "uploaded" ? (
        <MessageBar
          intent={upload.state === "failed" ? "error" : "warning"}
          layout="multiline"
          data-testid="upload-failed"
          data-state={upload.state}
        >
          <MessageBarBody>
            <MessageBarTitle>
              {upload.state === "failed"
                ? "Saved in Depot, but not uploaded to Apple"
                : "Not uploaded to Apple yet"}
            </MessageBarTitle>
            {upload.error ? <div data-testid="upload-error">{upload.error}</div> : null}
            {upload.errorField ? (
              <div data-testid="upload-error-field">
                Apple&apos;s answer points at <strong>{fieldLabel(upload.errorField)}</strong>:{" "}
                <Link href={`#${PROFILE_PATHS.edit(summary.id)}`}>edit the profile</Link> to change
                it.
              </div>
            ) : (
              <div>Devices cannot be assigned this profile until Apple has it.</div>
            )}
          </MessageBarBody>
          <MessageBarActions>
            <Button
              icon={<ArrowClockwise20Regular />}
              disabled={retryUpload.isPending}
              onClick={() => retryUpload.mutate(summary)}
              data-testid="retry-upload"
            >
              {retryUpload.isPending ? "Uploading…" : "Retry upload"}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {retryUpload.isError ? (
        <ErrorState title="Couldn't upload the profile" error={retryUpload.error} />
      ) : null}
      {runId ? <ReassignmentProgress runId={runId} version={summary.version} /> : null}
      {actionError ? <ErrorState title={actionError.title} error={actionError.m.error} /> : null}
      {exportFile.data ? (
        <MessageBar intent="success" layout="multiline" data-testid="export-done">
          <MessageBarBody>
            {exportFile.data.download ? "Downloaded" : "Saved"} {exportFile.data.savedTo}.
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <div className={own.sections} data-testid="profile-detail">
        <Card className={own.card}>
          <CardHeader header={<Subtitle2 as="h2">Apple</Subtitle2>} />
          <Facts
            facts={[
              {
                label: "Upload",
                value: <UploadBadge upload={upload} />,
                testId: "detail-upload-state",
              },
              {
                label: "Apple profile UUID",
                value: upload.appleUuid ?? "None yet",
                mono: upload.appleUuid !== null,
                testId: "apple-uuid",
              },
              {
                label: "Uploaded",
                value: upload.uploadedAt ? formatDateTime(upload.uploadedAt) : "—",
              },
              { label: "Version", value: String(summary.version), testId: "detail-version" },
              {
                label: "Devices",
                value: formatCount(summary.deviceCount),
                testId: "detail-device-count",
              },
              { label: "Platform", value: platformLabel(summary.platform) },
              {
                label: "Default for new devices",
                value: summary.isDefault
                  ? `Yes: new ${platformLabel(summary.platform)} devices of ${summary.tokenName} get it`
                  : `No. As the default, new ${platformLabel(summary.platform)} devices of ${summary.tokenName} would get it after each sync, in place of any earlier ${platformLabel(summary.platform)} default.`,
                testId: "detail-default",
              },
              { label: "Updated", value: formatDateTime(summary.updatedAt) },
            ]}
          />
        </Card>
        <Card className={own.card}>
          <CardHeader header={<Subtitle2 as="h2">Device group rule</Subtitle2>} />
          <Body1>
            Directories with dynamic device groups can collect this profile&apos;s devices with this
            rule:
          </Body1>
          <div className={own.rule}>
            <span className={own.ruleText} data-testid="group-rule">
              {profile.groupRule}
            </span>
            <CopyButton text={profile.groupRule} label="Copy group rule" testId="group-rule-copy" />
          </div>
          <Link href={DEVICE_PATHS.forProfileName(summary.name)} data-testid="profile-devices-link">
            Show the devices holding this profile
          </Link>
          <MessageBar intent="info" layout="multiline" data-testid="licensing-note">
            <MessageBarBody>
              <MessageBarTitle>Licensing</MessageBarTitle>
              {profile.licensingNote}
            </MessageBarBody>
          </MessageBar>
        </Card>
        {profile.warnings.length > 0 ? (
          <MessageBar
            intent="warning"
            layout="multiline"
            className={own.wide}
            data-testid="profile-warnings"
          >
            <MessageBarBody>
              <MessageBarTitle>Worth knowing</MessageBarTitle>
              <ul className={own.list}>
                {profile.warnings.map((w) => (
                  <li key={`${w.field}:${w.message}`}>{w.message}</li>
                ))}
              </ul>
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <Card className={mergeClasses(own.card, own.wide)}>
          <CardHeader header={<Subtitle2 as="h2">Settings</Subtitle2>} />
          <ProfileSummary
            draft={profile.draft}
            tokenName={summary.tokenName}
            catalogue={catalogue.data}
          />
          <AppleJson json={profile.appleJson} />
        </Card>
        <Card className={mergeClasses(own.card, own.wide)}>
          <CardHeader
            header={<Subtitle2 as="h2">Version history</Subtitle2>}
            description="Every saved edit is a new version and a new profile at Apple."
          />
          <VersionHistory profileId={summary.id} versions={profile.versions} />
        </Card>
      </div>

      <DuplicateProfileDialog
        profile={summary}
        open={dialog === "duplicate"}
        onOpenChange={(open) => setDialog(open ? "duplicate" : null)}
      />
      <DeleteProfileDialog
        profile={summary}
        open={dialog === "delete"}
        onOpenChange={(open) => setDialog(open ? "delete" : null)}
      />
      {dialog === "handoff" ? (
        <HandoffDialog
          profileId={summary.id}
          profileName={summary.name}
          open
          onOpenChange={(open) => setDialog(open ? "handoff" : null)}
        />
      ) : null}
    </Page>
  );
}
