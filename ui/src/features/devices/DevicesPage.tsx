import { Button, makeStyles } from "@fluentui/react-components";
import { PhoneLaptop20Regular, TextBulletListSquare20Regular } from "@fluentui/react-icons";
import { Suspense, lazy, useState } from "react";
import { useTokenList, useWorkspaceInfo } from "../../app/api";
import { useHashQuery } from "../../app/router";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { isProfileStatus } from "../../app/closedSets";
import { DeviceList } from "./DeviceList";
import type { DeviceFilters } from "./query";

const useStyles = makeStyles({ paragraph: { margin: 0 } });

// The serial-number panel loads on first use: the list is what opens first.
const SerialsPanel = lazy(() =>
  import("./SerialsPanel").then((m) => ({ default: m.SerialsPanel })),
);

/** Every non-empty value of a parameter given once or more (`&family=iPad&family=Mac`). */
function listParam(query: URLSearchParams, name: string): string[] {
  return [...new Set(query.getAll(name).map((v) => v.trim()))].filter((v) => v !== "");
}

const DESCRIPTION =
  "Devices that Apple has assigned to your MDM servers, and the profile each one gets.";

/**
 * DEV-1..8: every device of every token, searchable and filterable, with
 * profile assignment, removal, deletion from Depot, export and the
 * "Apple serial numbers" panel. `?profileName=<name>`, `?token=<id>`, `&status=<status>`,
 * `&family=<family>` and `&model=<model>` preset filters; `&serials=A,B` opens the panel
 * with those serial numbers.
 */
export function DevicesPage() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  const tokenList = useTokenList();
  const hash = useHashQuery();
  // `&serials=A,B` (from the sync and token pages) opens the panel with those serials.
  const presetSerials = (hash.get("serials") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const [serialsOpen, setSerialsOpen] = useState(presetSerials.length > 0);
  const tokens = tokenList.data?.tokens ?? [];
  const wantedToken = hash.get("token");
  const tokenFilter = tokens.some((t) => t.id === wantedToken) ? wantedToken : null;
  const wantedProfile = hash.get("profileName")?.trim() ?? "";
  const profileName = wantedProfile === "" ? null : wantedProfile;
  // `&status=`, `&family=` and `&model=` (the dashboard's charts) preset those filters.
  const statuses = listParam(hash, "status").filter(isProfileStatus);
  const families = listParam(hash, "family");
  const models = listParam(hash, "model");
  const initialFilters: Partial<DeviceFilters> = {
    tokenId: tokenFilter,
    statuses,
    families,
    models,
  };
  const presetKey = JSON.stringify(initialFilters);

  const actions =
    tokens.length > 0 ? (
      <Button
        icon={<TextBulletListSquare20Regular />}
        onClick={() => setSerialsOpen(true)}
        data-testid="devices-serials"
      >
        Apple serial numbers
      </Button>
    ) : undefined;

  let body;
  if (info.isPending || tokenList.isPending) {
    body = <LoadingState label="Loading devices…" />;
  } else if (info.isError || tokenList.isError) {
    const failed = info.isError ? info : tokenList;
    body = (
      <ErrorState
        title="Couldn't load devices"
        error={failed.error}
        onRetry={() => void failed.refetch()}
        retrying={failed.isFetching}
      />
    );
  } else if (info.data.counts.devices === 0) {
    body = (
      <EmptyState testId="devices-empty" icon={<PhoneLaptop20Regular />} title="No devices yet">
        <p className={styles.paragraph}>
          Devices arrive with the first sync of an enrollment program token. Each entry is a serial
          number your organisation bought and assigned to one of its MDM servers in Apple Business
          Manager or Apple School Manager, with the model, the OS and the enrollment profile it will
          receive.
        </p>
        <p className={styles.paragraph}>
          Once they are here you can search them, assign or remove profiles, and export the list.
        </p>
      </EmptyState>
    );
  } else {
    body = (
      <DeviceList
        key={presetKey}
        tokens={tokens}
        initialFilters={initialFilters}
        profileName={profileName}
      />
    );
  }

  return (
    <Page testId="devices" title="Devices" description={DESCRIPTION} actions={actions}>
      {body}
      {serialsOpen && tokenList.isSuccess ? (
        <Suspense fallback={null}>
          <SerialsPanel
            open
            onClose={() => setSerialsOpen(false)}
            tokens={tokens}
            initialTokenId={tokenFilter}
            initialText={presetSerials.join("\n")}
          />
        </Suspense>
      ) : null}
    </Page>
  );
}
