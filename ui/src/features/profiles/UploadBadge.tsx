import { Badge } from "@fluentui/react-components";
import type { UploadInfo } from "../../bindings/UploadInfo";
import type { UploadState } from "../../bindings/UploadState";

const UPLOAD: Record<UploadState, { label: string; color: "success" | "danger" | "warning" }> = {
  uploaded: { label: "Uploaded", color: "success" },
  failed: { label: "Not uploaded", color: "danger" },
  pending: { label: "Waiting to upload", color: "warning" },
};

/** Whether Apple has this version (`data-state`: uploaded | failed | pending). */
export function UploadBadge({ upload, testId }: { upload: UploadInfo; testId?: string }) {
  const { label, color } = UPLOAD[upload.state];
  return (
    <Badge appearance="tint" color={color} data-testid={testId} data-state={upload.state}>
      {label}
    </Badge>
  );
}
