import { Button, Tooltip, type ButtonProps } from "@fluentui/react-components";
import { Checkmark20Regular, Copy20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { wait } from "../platform";

type CopyButtonProps = {
  /** What lands on the clipboard. */
  text: string;
  /** Names what is copied, for the button's accessible name ("Copy group rule"). */
  label: string;
  testId?: string | undefined;
  /** Shows "Copy" next to the icon; icon-only otherwise. */
  showText?: boolean;
  size?: ButtonProps["size"] | undefined;
};

/** Copies `text` to the clipboard and says so for two seconds (or that it could not). */
export function CopyButton({ text, label, testId, showText = false, size }: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  // Controlled, so the result can show without hovering; hover and focus still open it.
  const [pointed, setPointed] = useState(false);
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), wait(2_000));
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
    if (!clipboard) {
      setState("failed");
      return;
    }
    clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };

  const status =
    state === "copied" ? "Copied" : state === "failed" ? "Couldn't copy; select the text" : null;
  return (
    <Tooltip
      content={status ?? label}
      relationship="label"
      visible={status !== null || pointed}
      onVisibleChange={(_, data) => setPointed(data.visible)}
    >
      <Button
        {...(size ? { size } : {})}
        appearance="subtle"
        icon={state === "copied" ? <Checkmark20Regular /> : <Copy20Regular />}
        onClick={copy}
        data-testid={testId}
        data-copied={state === "copied" ? "true" : undefined}
      >
        {showText ? (state === "copied" ? "Copied" : "Copy") : null}
      </Button>
    </Tooltip>
  );
}
