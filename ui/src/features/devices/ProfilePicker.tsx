import { Caption1, Field, Link, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useProfileList } from "../../app/api";
import { PROFILE_PATHS } from "../../app/paths";
import { ErrorState } from "../../components/ErrorState";
import { platformLabel } from "../../components/platforms";
import { LoadingState } from "../../components/LoadingState";

const useStyles = makeStyles({
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

type ProfilePickerProps = {
  tokenId: string;
  value: string | null;
  onChange: (profileId: string | null) => void;
  testId: string;
};

/**
 * The profiles of one token that can be sent: Apple must have the current
 * version, so profiles still waiting for (or refused by) their upload are listed
 * but cannot be chosen.
 */
export function ProfilePicker({ tokenId, value, onChange, testId }: ProfilePickerProps) {
  const styles = useStyles();
  const list = useProfileList(tokenId);
  if (list.isPending) return <LoadingState label="Loading the token's profiles…" />;
  if (list.isError) {
    return (
      <ErrorState
        title="Couldn't load the token's profiles"
        error={list.error}
        onRetry={() => void list.refetch()}
        retrying={list.isFetching}
      />
    );
  }
  const profiles = list.data.profiles;
  const usable = profiles.filter((p) => p.upload.state === "uploaded");
  if (usable.length === 0) {
    return (
      <Caption1 data-testid={`${testId}-none`}>
        {profiles.length === 0
          ? "This token has no enrollment profiles yet. "
          : "None of this token's profiles is on Apple's servers yet; retry their upload first. "}
        <Link href={`#${PROFILE_PATHS.createFor(tokenId)}`}>Create a profile</Link>
      </Caption1>
    );
  }
  return (
    <Field
      label="Enrollment profile"
      required
      hint={
        usable.length < profiles.length ? (
          <span className={styles.muted}>
            Profiles not uploaded to Apple cannot be assigned until their upload succeeds.
          </span>
        ) : null
      }
    >
      <Select
        value={value ?? ""}
        onChange={(_, data) => onChange(data.value === "" ? null : data.value)}
        data-testid={testId}
      >
        <option value="">Choose a profile…</option>
        {profiles.map((p) => (
          <option key={p.id} value={p.id} disabled={p.upload.state !== "uploaded"}>
            {p.name} ({platformLabel(p.platform)}, version {p.version})
            {p.upload.state === "uploaded" ? "" : " — not uploaded"}
          </option>
        ))}
      </Select>
    </Field>
  );
}
