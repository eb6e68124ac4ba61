import { Badge } from "@fluentui/react-components";
import type { VppToken } from "../../bindings/VppToken";
import { vppStateLook } from "../../components/vppToken";

/** ok / expired / revoked / invalid / taken over by NAME / failing. */
export function VppStateBadge({ token }: { token: VppToken }) {
  const { label, color } = vppStateLook(token);
  return (
    <Badge
      appearance="tint"
      color={color}
      style={{ whiteSpace: "nowrap" }}
      data-testid={`vpp-state-${token.id}`}
      data-state={token.state}
    >
      {label}
    </Badge>
  );
}
