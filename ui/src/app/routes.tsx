import {
  AppsList20Filled,
  AppsList20Regular,
  ArrowSync20Filled,
  ArrowSync20Regular,
  Board20Filled,
  Board20Regular,
  Building20Filled,
  Building20Regular,
  DocumentBulletList20Filled,
  DocumentBulletList20Regular,
  DocumentSettings20Filled,
  DocumentSettings20Regular,
  KeyMultiple20Filled,
  KeyMultiple20Regular,
  PhoneLaptop20Filled,
  PhoneLaptop20Regular,
  Settings20Filled,
  Settings20Regular,
  bundleIcon,
  type FluentIcon,
} from "@fluentui/react-icons";
import type { ComponentType } from "react";
import { AuditPage } from "../features/audit/AuditPage";
import { DashboardPage } from "../features/dashboard/DashboardPage";
import { DevicesPage } from "../features/devices/DevicesPage";
import { OrganisationPage } from "../features/organisation/OrganisationPage";
import { ProfilesPage } from "../features/profiles/ProfilesPage";
import { SettingsPage } from "../features/settings/SettingsPage";
import { SyncPage } from "../features/sync/SyncPage";
import { TokensPage } from "../features/tokens/TokensPage";
import { VppPage } from "../features/vpp/VppPage";
import { PATHS, type RouteId } from "./paths";

export type RouteDef = {
  id: RouteId;
  path: string;
  /** Navigation label; also the page's h1. */
  label: string;
  icon: FluentIcon;
  Page: ComponentType;
  /** The page also answers paths below its own (`/tokens/add`, `/tokens/<id>`) and reads them itself. */
  nested?: boolean;
};

/** Navigation order. */
export const ROUTES: readonly RouteDef[] = [
  {
    id: "dashboard",
    path: PATHS.dashboard,
    label: "Dashboard",
    icon: bundleIcon(Board20Filled, Board20Regular),
    Page: DashboardPage,
  },
  {
    id: "tokens",
    path: PATHS.tokens,
    label: "Enrollment program tokens",
    icon: bundleIcon(KeyMultiple20Filled, KeyMultiple20Regular),
    Page: TokensPage,
    nested: true,
  },
  {
    id: "vpp",
    path: PATHS.vpp,
    label: "Apps and Books tokens",
    icon: bundleIcon(AppsList20Filled, AppsList20Regular),
    Page: VppPage,
  },
  {
    id: "profiles",
    path: PATHS.profiles,
    label: "Profiles",
    icon: bundleIcon(DocumentSettings20Filled, DocumentSettings20Regular),
    Page: ProfilesPage,
    nested: true,
  },
  {
    id: "devices",
    path: PATHS.devices,
    label: "Devices",
    icon: bundleIcon(PhoneLaptop20Filled, PhoneLaptop20Regular),
    Page: DevicesPage,
  },
  {
    id: "organisation",
    path: PATHS.organisation,
    label: "Organisation",
    icon: bundleIcon(Building20Filled, Building20Regular),
    Page: OrganisationPage,
  },
  {
    id: "sync",
    path: PATHS.sync,
    label: "Sync",
    icon: bundleIcon(ArrowSync20Filled, ArrowSync20Regular),
    Page: SyncPage,
  },
  {
    id: "audit",
    path: PATHS.audit,
    label: "Audit log",
    icon: bundleIcon(DocumentBulletList20Filled, DocumentBulletList20Regular),
    Page: AuditPage,
  },
  {
    id: "settings",
    path: PATHS.settings,
    label: "Settings",
    icon: bundleIcon(Settings20Filled, Settings20Regular),
    Page: SettingsPage,
  },
];

/** "/" opens the dashboard; an unknown path matches nothing. */
export function matchRoute(path: string): RouteDef | undefined {
  const wanted = path === "/" ? PATHS.dashboard : path;
  return ROUTES.find(
    (route) =>
      route.path === wanted || (route.nested === true && wanted.startsWith(`${route.path}/`)),
  );
}
