import {
  Button,
  Caption1,
  Menu,
  MenuButton,
  MenuDivider,
  MenuItemCheckbox,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Switch,
  Tag,
  TagGroup,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss16Regular } from "@fluentui/react-icons";
import type { DeviceFacetsDto } from "../../bindings/DeviceFacetsDto";
import type { FacetValue } from "../../bindings/FacetValue";
import { isProfileStatus } from "../../app/closedSets";
import { LAST_RESULT, PROFILE_STATUS, formatCount, tone } from "./format";
import type { DeviceFilters } from "./query";

const useStyles = makeStyles({
  bar: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
  },
  popover: {
    maxHeight: "360px",
    overflowY: "auto",
  },
  chips: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
  },
  chipLabel: {
    color: tokens.colorNeutralForeground3,
  },
});

/** A filter the page offers: which facet, whether several values can be on at once. */
type FacetDef = {
  id: FacetId;
  label: string;
  multi: boolean;
  values: (facets: DeviceFacetsDto | undefined) => FacetValue[];
  labelOf: (value: string, facets: DeviceFacetsDto | undefined) => string;
};

export type FacetId =
  "token" | "status" | "profile" | "family" | "model" | "lastResult" | "scopeTag";

function labelFrom(list: FacetValue[] | undefined, value: string): string {
  return list?.find((v) => v.value === value)?.label ?? value;
}

const relabel = (list: FacetValue[], table: Parameters<typeof tone>[0]) =>
  list.map((v) => ({ ...v, label: tone(table, v.value).label }));

function facetDefs(scopeTags: readonly string[]): FacetDef[] {
  const defs: FacetDef[] = [
    {
      id: "token",
      label: "Token",
      multi: false,
      values: (f) => f?.tokens ?? [],
      labelOf: (v, f) => labelFrom(f?.tokens, v),
    },
    {
      id: "status",
      label: "Profile status",
      multi: true,
      values: (f) => relabel(f?.statuses ?? [], PROFILE_STATUS),
      labelOf: (v) => tone(PROFILE_STATUS, v).label,
    },
    {
      id: "profile",
      label: "Depot profile",
      multi: false,
      values: (f) => f?.profiles ?? [],
      labelOf: (v, f) => (v === "none" ? "No Depot profile" : labelFrom(f?.profiles, v)),
    },
    {
      id: "family",
      label: "Family",
      multi: true,
      values: (f) => f?.families ?? [],
      labelOf: (v) => v,
    },
    {
      id: "model",
      label: "Model",
      multi: true,
      values: (f) => f?.models ?? [],
      labelOf: (v) => v,
    },
    {
      id: "lastResult",
      label: "Last assignment",
      multi: false,
      values: (f) => relabel(f?.lastResults ?? [], LAST_RESULT),
      labelOf: (v) => tone(LAST_RESULT, v).label,
    },
  ];
  if (scopeTags.length > 0) {
    defs.push({
      id: "scopeTag",
      label: "Scope tag",
      multi: false,
      values: () => scopeTags.map((tag) => ({ value: tag, label: tag, count: -1 })),
      labelOf: (v) => v,
    });
  }
  return defs;
}

/** The values of one facet that are on. */
export function selectedValues(filters: DeviceFilters, id: FacetId): string[] {
  switch (id) {
    case "token":
      return filters.tokenId === null ? [] : [filters.tokenId];
    case "status":
      return [...filters.statuses];
    case "profile":
      return filters.profileId === null ? [] : [filters.profileId];
    case "family":
      return [...filters.families];
    case "model":
      return [...filters.models];
    case "lastResult":
      return filters.lastResult === null ? [] : [filters.lastResult];
    case "scopeTag":
      return filters.scopeTag === null ? [] : [filters.scopeTag];
  }
}

function withValues(filters: DeviceFilters, id: FacetId, values: string[]): DeviceFilters {
  const one = values[0] ?? null;
  switch (id) {
    case "token":
      return { ...filters, tokenId: one };
    case "status":
      // A status this build does not know cannot be a filter (the facet still counts it).
      return { ...filters, statuses: values.filter(isProfileStatus) };
    case "profile":
      return { ...filters, profileId: one };
    case "family":
      return { ...filters, families: values };
    case "model":
      return { ...filters, models: values };
    case "lastResult":
      return { ...filters, lastResult: one };
    case "scopeTag":
      return { ...filters, scopeTag: one };
  }
}

type DeviceFilterBarProps = {
  filters: DeviceFilters;
  onChange: (filters: DeviceFilters) => void;
  facets: DeviceFacetsDto | undefined;
  scopeTags: readonly string[];
  /** PRO-17: the enrollment profile name from the address, if any. */
  profileName: string | null;
  onClearProfileName: () => void;
  onClearAll: () => void;
  filtering: boolean;
};

/** Filter menus with a count per value, and the active filters as chips. */
export function DeviceFilterBar({
  filters,
  onChange,
  facets,
  scopeTags,
  profileName,
  onClearProfileName,
  onClearAll,
  filtering,
}: DeviceFilterBarProps) {
  const styles = useStyles();
  const defs = facetDefs(scopeTags);
  const chips = defs.flatMap((def) =>
    selectedValues(filters, def.id).map((value) => ({ def, value })),
  );

  return (
    <>
      <div className={styles.bar} role="group" aria-label="Filters">
        {defs.map((def) => (
          <FacetMenu
            key={def.id}
            def={def}
            facets={facets}
            selected={selectedValues(filters, def.id)}
            onChange={(values) => onChange(withValues(filters, def.id, values))}
          />
        ))}
        <Switch
          label="Include removed devices"
          checked={filters.includeRemoved}
          onChange={(_, data) => onChange({ ...filters, includeRemoved: data.checked })}
          data-testid="devices-filter-includeRemoved"
        />
      </div>
      {filtering ? (
        <div className={styles.chips}>
          <TagGroup
            aria-label="Active filters"
            onDismiss={(_, data) => {
              if (data.value === "profileName") {
                onClearProfileName();
                return;
              }
              if (data.value === "includeRemoved") {
                onChange({ ...filters, includeRemoved: false });
                return;
              }
              const [id = "", ...rest] = data.value.split(":");
              const value = rest.join(":");
              const def = defs.find((d) => d.id === id);
              if (!def) return;
              onChange(
                withValues(
                  filters,
                  def.id,
                  selectedValues(filters, def.id).filter((v) => v !== value),
                ),
              );
            }}
          >
            {profileName !== null ? (
              <Tag
                dismissible
                value="profileName"
                size="small"
                dismissIcon={{ "aria-label": "Stop filtering by enrollment profile name" }}
                data-testid="devices-chip-profileName"
              >
                <span className={styles.chipLabel}>Enrollment profile name: </span>
                {profileName}
              </Tag>
            ) : null}
            {chips.map(({ def, value }) => (
              <Tag
                key={`${def.id}:${value}`}
                dismissible
                value={`${def.id}:${value}`}
                size="small"
                dismissIcon={{ "aria-label": `Remove the filter ${def.label}` }}
                data-testid={`devices-chip-${def.id}-${value}`}
              >
                <span className={styles.chipLabel}>{def.label}: </span>
                {def.labelOf(value, facets)}
              </Tag>
            ))}
            {filters.includeRemoved ? (
              <Tag
                dismissible
                value="includeRemoved"
                size="small"
                dismissIcon={{ "aria-label": "Hide removed devices" }}
                data-testid="devices-chip-includeRemoved"
              >
                Removed devices included
              </Tag>
            ) : null}
          </TagGroup>
          <Button
            appearance="subtle"
            size="small"
            icon={<Dismiss16Regular />}
            onClick={onClearAll}
            data-testid="devices-clear-filters"
          >
            Clear all filters
          </Button>
        </div>
      ) : null}
    </>
  );
}

function FacetMenu({
  def,
  facets,
  selected,
  onChange,
}: {
  def: FacetDef;
  facets: DeviceFacetsDto | undefined;
  selected: string[];
  onChange: (values: string[]) => void;
}) {
  const styles = useStyles();
  const listed = def.values(facets);
  // A value that is on stays in the menu even when nothing matches it any more.
  const values = [
    ...listed,
    ...selected
      .filter((value) => !listed.some((v) => v.value === value))
      .map((value) => ({ value, label: def.labelOf(value, facets), count: 0 })),
  ];
  const name = def.id;
  const summary =
    selected.length === 0
      ? def.label
      : selected.length === 1
        ? `${def.label}: ${def.labelOf(selected[0] ?? "", facets)}`
        : `${def.label} (${selected.length})`;
  const Item = def.multi ? MenuItemCheckbox : MenuItemRadio;

  return (
    <Menu
      checkedValues={{ [name]: def.multi ? selected : selected.length === 0 ? [""] : selected }}
      onCheckedValueChange={(_, data) => onChange(data.checkedItems.filter((v) => v !== ""))}
    >
      <MenuTrigger disableButtonEnhancement>
        <MenuButton
          size="small"
          appearance={selected.length > 0 ? "primary" : "secondary"}
          data-testid={`devices-filter-${def.id}`}
        >
          {summary}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover className={styles.popover}>
        <MenuList>
          {def.multi ? null : (
            <>
              <MenuItemRadio name={name} value="" data-testid={`devices-filter-${def.id}-any`}>
                Any
              </MenuItemRadio>
              <MenuDivider />
            </>
          )}
          {values.length === 0 ? (
            <Caption1 className={styles.chipLabel}>No values to filter by.</Caption1>
          ) : null}
          {values.map((v) => (
            <Item
              key={v.value}
              name={name}
              value={v.value}
              {...(v.count >= 0 ? { secondaryContent: formatCount(v.count) } : {})}
              data-testid={`devices-filter-${def.id}-${v.value}`}
            >
              {v.label}
            </Item>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
