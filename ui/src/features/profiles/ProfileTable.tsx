import {
  Badge,
  Button,
  Caption1,
  Link,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwise16Regular,
  Copy20Regular,
  Delete20Regular,
  MoreHorizontal20Regular,
  Open20Regular,
  Star20Regular,
  StarOff20Regular,
} from "@fluentui/react-icons";
import { PROFILE_PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import { useCan } from "../../app/session";
import type { ProfileSummary } from "../../bindings/ProfileSummary";
import { platformLabel } from "../../components/platforms";
import { formatCount } from "./format";
import { useProfileStyles } from "./styles";
import { UploadBadge } from "./UploadBadge";

const useStyles = makeStyles({
  name: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
  nameLink: {
    fontWeight: tokens.fontWeightSemibold,
  },
  upload: {
    display: "flex",
    flexDirection: "column",
    alignItems: "flex-start",
    gap: tokens.spacingVerticalXXS,
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
    maxWidth: "320px",
  },
  uploadError: {
    color: tokens.colorPaletteRedForeground1,
    overflowWrap: "anywhere",
  },
});

/** What "Set as default" does, said where it is offered (PLT-2). */
export function defaultExplanation(profile: ProfileSummary): string {
  const platform = platformLabel(profile.platform);
  return `New ${platform} devices of ${profile.tokenName} get it after each sync; it replaces the token's earlier ${platform} default.`;
}

export type RowAction = "duplicate" | "setDefault" | "clearDefault" | "delete" | "retryUpload";

type ProfileTableProps = {
  profiles: readonly ProfileSummary[];
  /** Show the token column (the list covers every token). */
  showToken: boolean;
  onAction: (action: RowAction, profile: ProfileSummary) => void;
  /** The profile whose retry (or default change) is running, to disable its buttons. */
  busyId: string | null;
};

/** PRO-15: the profile list with its row actions. */
export function ProfileTable({ profiles, showToken, onAction, busyId }: ProfileTableProps) {
  // Duplicating, defaults and deleting are an administrator's.
  const canManage = useCan("manage");
  const styles = useProfileStyles();
  const own = useStyles();
  return (
    <div className={styles.tableFrame}>
      <Table
        aria-label="Enrollment profiles"
        data-testid="profiles-table"
        className={styles.tableLayout}
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>Platform</TableHeaderCell>
            {showToken ? <TableHeaderCell>Token</TableHeaderCell> : null}
            <TableHeaderCell className={styles.number}>Version</TableHeaderCell>
            <TableHeaderCell className={styles.number}>Devices</TableHeaderCell>
            <TableHeaderCell>Default</TableHeaderCell>
            <TableHeaderCell>Upload to Apple</TableHeaderCell>
            <TableHeaderCell>Actions</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {profiles.map((profile) => {
            const busy = busyId === profile.id;
            return (
              <TableRow
                key={profile.id}
                data-testid={`profile-row-${profile.name}`}
                data-profile-id={profile.id}
                className="profile-row"
              >
                <TableCell>
                  <span className={own.name}>
                    <Link
                      href={`#${PROFILE_PATHS.detail(profile.id)}`}
                      className={own.nameLink}
                      data-testid="profile-link"
                    >
                      {profile.name}
                    </Link>
                    {profile.description ? (
                      <Caption1 className={styles.muted}>{profile.description}</Caption1>
                    ) : null}
                  </span>
                </TableCell>
                <TableCell className={styles.nowrap} data-testid="profile-platform">
                  {platformLabel(profile.platform)}
                </TableCell>
                {showToken ? <TableCell>{profile.tokenName}</TableCell> : null}
                <TableCell className={styles.number} data-testid="profile-version">
                  {profile.version}
                </TableCell>
                <TableCell className={styles.number} data-testid="profile-devices">
                  {formatCount(profile.deviceCount)}
                </TableCell>
                <TableCell>
                  {profile.isDefault ? (
                    <Badge appearance="filled" color="brand" data-testid="profile-default">
                      Default for {platformLabel(profile.platform)}
                    </Badge>
                  ) : (
                    <span className={styles.muted}>—</span>
                  )}
                </TableCell>
                <TableCell>
                  <span className={own.upload}>
                    <UploadBadge upload={profile.upload} testId="profile-upload-state" />
                    {profile.upload.state !== "uploaded" ? (
                      <>
                        {profile.upload.error ? (
                          <Caption1 className={own.uploadError} data-testid="profile-upload-error">
                            {profile.upload.error}
                          </Caption1>
                        ) : null}
                        <Button
                          size="small"
                          icon={<ArrowClockwise16Regular />}
                          disabled={busy}
                          onClick={() => onAction("retryUpload", profile)}
                          data-testid="profile-retry-upload"
                        >
                          {busy ? "Uploading…" : "Retry upload"}
                        </Button>
                      </>
                    ) : null}
                  </span>
                </TableCell>
                <TableCell>
                  <Menu>
                    <MenuTrigger disableButtonEnhancement>
                      <Button
                        appearance="subtle"
                        icon={<MoreHorizontal20Regular />}
                        aria-label={`Actions for ${profile.name}`}
                        disabled={busy}
                        data-testid="profile-actions"
                      />
                    </MenuTrigger>
                    <MenuPopover>
                      <MenuList>
                        <MenuItem
                          icon={<Open20Regular />}
                          onClick={() => navigate(PROFILE_PATHS.detail(profile.id))}
                          data-testid="profile-open"
                        >
                          Open
                        </MenuItem>
                        {canManage ? (
                          <>
                            <MenuItem
                              icon={<Copy20Regular />}
                              onClick={() => onAction("duplicate", profile)}
                              data-testid="profile-duplicate"
                            >
                              Duplicate…
                            </MenuItem>
                            {profile.isDefault ? (
                              <MenuItem
                                icon={<StarOff20Regular />}
                                onClick={() => onAction("clearDefault", profile)}
                                data-testid="profile-clear-default"
                              >
                                Stop being the default for {platformLabel(profile.platform)}
                              </MenuItem>
                            ) : (
                              <MenuItem
                                icon={<Star20Regular />}
                                onClick={() => onAction("setDefault", profile)}
                                data-testid="profile-set-default"
                                subText={defaultExplanation(profile)}
                              >
                                Set as default for {platformLabel(profile.platform)}
                              </MenuItem>
                            )}
                            <MenuItem
                              icon={<Delete20Regular />}
                              onClick={() => onAction("delete", profile)}
                              data-testid="profile-delete"
                            >
                              Delete…
                            </MenuItem>
                          </>
                        ) : null}
                      </MenuList>
                    </MenuPopover>
                  </Menu>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
