import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { Certificate20Regular, Delete20Regular, DocumentAdd20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { pickFiles } from "../../app/files";
import type { CertificateCheck } from "../../bindings/CertificateCheck";
import { MAX_CERTIFICATES, certificatesFromFile, messageAt } from "./draft";
import { formatDate } from "./format";
import { SettingField, type StepProps } from "./StepParts";
import { useProfileStyles } from "./styles";

const useStyles = makeStyles({
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalS,
  },
  item: {
    display: "grid",
    gridTemplateColumns: "20px minmax(0, 1fr) auto",
    columnGap: tokens.spacingHorizontalM,
    alignItems: "center",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  itemBad: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder2}`,
  },
  details: {
    display: "flex",
    flexDirection: "column",
    minWidth: 0,
  },
  name: {
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: "anywhere",
  },
  error: {
    color: tokens.colorPaletteRedForeground1,
  },
  add: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    marginTop: tokens.spacingVerticalS,
  },
});

type CertificateListProps = Pick<StepProps, "draft" | "update" | "problems"> & {
  certificates: readonly CertificateCheck[];
  names: readonly string[];
  onNames: (names: string[]) => void;
};

/** PRO-10: Apple Configurator certificates, read in the UI and checked by the backend. */
export function CertificateList({
  draft,
  update,
  problems,
  certificates,
  names,
  onNames,
}: CertificateListProps) {
  const styles = useProfileStyles();
  const own = useStyles();
  const [fileErrors, setFileErrors] = useState<string[]>([]);
  const list = draft.configuratorCertificates;
  const full = list.length >= MAX_CERTIFICATES;

  const add = async () => {
    const files = await pickFiles(".cer,.crt,.pem,.der", true);
    if (files.length === 0) return;
    const errors: string[] = [];
    const added: string[] = [];
    const addedNames: string[] = [];
    for (const file of files) {
      const read = certificatesFromFile(file.bytes);
      if ("error" in read) {
        errors.push(`${file.name}: ${read.error}`);
        continue;
      }
      read.forEach((certificate, i) => {
        if (list.length + added.length >= MAX_CERTIFICATES) {
          errors.push(
            `${file.name}: not added — a profile holds at most ${MAX_CERTIFICATES} certificates.`,
          );
          return;
        }
        added.push(certificate);
        addedNames.push(read.length > 1 ? `${file.name} (${i + 1})` : file.name);
      });
    }
    setFileErrors(errors);
    if (added.length > 0) {
      onNames([...names.slice(0, list.length), ...addedNames]);
      update((d) => ({
        ...d,
        configuratorCertificates: [...d.configuratorCertificates, ...added],
      }));
    }
  };

  const remove = (index: number) => {
    onNames(names.filter((_, i) => i !== index));
    update((d) => ({
      ...d,
      configuratorCertificates: d.configuratorCertificates.filter((_, i) => i !== index),
    }));
  };

  return (
    <SettingField
      path="configuratorCertificates"
      problems={problems}
      label="Apple Configurator certificates"
      required
      hint={`1 to ${MAX_CERTIFICATES} certificate files (.cer, .crt or .pem). Keep a copy of each: the Mac that pairs with these devices later needs the same certificate installed.`}
    >
      <div>
        {list.length > 0 ? (
          <ul className={own.list} data-testid="certificate-list">
            {list.map((certificate, index) => {
              const check = certificates[index];
              const problem = messageAt(problems, `configuratorCertificates[${index}]`);
              const error = problem ?? (check && !check.ok ? check.error : null);
              const name = names[index] ?? `Certificate ${index + 1}`;
              return (
                <li
                  // Certificates are plain strings that may repeat; the position is the identity.
                  key={`${index}:${certificate.slice(-16)}`}
                  className={mergeClasses(own.item, error ? own.itemBad : undefined)}
                  data-testid={`certificate-${index}`}
                  data-ok={check ? String(check.ok && !error) : undefined}
                >
                  <Certificate20Regular aria-hidden="true" />
                  <span className={own.details}>
                    <span className={own.name}>{name}</span>
                    {error ? (
                      <Caption1 className={own.error} data-testid={`certificate-error-${index}`}>
                        {error}
                      </Caption1>
                    ) : check ? (
                      <Caption1 data-testid={`certificate-summary-${index}`}>
                        {check.subject ?? "No subject name"}
                        {check.expiresAt ? ` · expires ${formatDate(check.expiresAt)}` : ""}{" "}
                        {check.expired ? (
                          <Badge appearance="tint" color="danger" size="small">
                            Expired
                          </Badge>
                        ) : null}
                      </Caption1>
                    ) : (
                      <Caption1 className={styles.muted}>Checking…</Caption1>
                    )}
                  </span>
                  <Button
                    appearance="subtle"
                    icon={<Delete20Regular />}
                    aria-label={`Remove ${name}`}
                    onClick={() => remove(index)}
                    data-testid={`certificate-remove-${index}`}
                  />
                </li>
              );
            })}
          </ul>
        ) : null}
        <div className={own.add}>
          <Button
            icon={<DocumentAdd20Regular />}
            onClick={() => void add()}
            disabled={full}
            data-testid="add-certificates"
          >
            Add certificates…
          </Button>
          <Caption1 className={styles.muted} data-testid="certificate-count">
            {list.length} of {MAX_CERTIFICATES}
          </Caption1>
        </div>
        {fileErrors.length > 0 ? (
          <MessageBar intent="warning" layout="multiline" data-testid="certificate-file-errors">
            <MessageBarBody>
              {fileErrors.map((e) => (
                <div key={e}>{e}</div>
              ))}
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
    </SettingField>
  );
}
