import { Badge, Tooltip } from "@fluentui/react-components";
import { BeakerRegular } from "@fluentui/react-icons";

const EXPLANATION =
  "This data comes from Depot's built-in simulator of Apple's service, not from Apple.";

/** Marks anything backed by the simulator (SIM-5), so it is never mistaken for real devices. */
export function SimulatorBadge({
  size = "medium",
  appearance = "tint",
}: {
  size?: "small" | "medium" | "large";
  appearance?: "tint" | "filled" | "outline";
}) {
  return (
    <Tooltip content={EXPLANATION} relationship="description">
      <Badge
        appearance={appearance}
        color="important"
        size={size}
        icon={<BeakerRegular />}
        data-testid="simulator-badge"
        tabIndex={0}
      >
        Simulator
      </Badge>
    </Tooltip>
  );
}
