import {
  Badge,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  type BadgeProps,
} from "@fluentui/react-components";
import type { TokenStatus } from "../../bindings/TokenStatus";
import type { TokenSummary } from "../../bindings/TokenSummary";

const STATUS: Record<TokenStatus, { label: string; color: NonNullable<BadgeProps["color"]> }> = {
  ok: { label: "Active", color: "success" },
  expiring: { label: "Expiring soon", color: "warning" },
  expired: { label: "Expired", color: "danger" },
  termsNotAccepted: { label: "Terms not accepted", color: "warning" },
  rejected: { label: "Rejected by Apple", color: "danger" },
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const numberFormat = new Intl.NumberFormat();

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function TokenTable({ tokens }: { tokens: readonly TokenSummary[] }) {
  return (
    <Table aria-label="Enrollment program tokens" data-testid="tokens-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>MDM server</TableHeaderCell>
          <TableHeaderCell>Organisation</TableHeaderCell>
          <TableHeaderCell>Apple ID</TableHeaderCell>
          <TableHeaderCell>Expires</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Devices</TableHeaderCell>
          <TableHeaderCell>Profiles</TableHeaderCell>
          <TableHeaderCell>Scope tags</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {tokens.map((token) => {
          const status = STATUS[token.status];
          return (
            <TableRow key={token.id}>
              <TableCell>{token.serverName}</TableCell>
              <TableCell>{token.orgName}</TableCell>
              <TableCell>{token.appleId}</TableCell>
              <TableCell>{formatDate(token.expiresAt)}</TableCell>
              <TableCell>
                <Badge appearance="tint" color={status.color}>
                  {status.label}
                </Badge>
              </TableCell>
              <TableCell>{numberFormat.format(token.deviceCount)}</TableCell>
              <TableCell>{numberFormat.format(token.profileCount)}</TableCell>
              <TableCell>{token.scopeTags.length > 0 ? token.scopeTags.join(", ") : "—"}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
