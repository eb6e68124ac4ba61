import { Body1 } from "@fluentui/react-components";
import { ScopeTagInput } from "../../../components/ScopeTagInput";
import { useAddTokenStyles } from "./styles";

type ScopeTagsStepProps = {
  scopeTags: string[];
  onChange: (tags: string[]) => void;
};

/** Step 6: optional labels the token's profiles and devices inherit. */
export function ScopeTagsStep({ scopeTags, onChange }: ScopeTagsStepProps) {
  const styles = useAddTokenStyles();
  return (
    <>
      <Body1 className={styles.paragraph}>
        Scope tags are optional labels. The token&apos;s profiles and devices inherit them, and you
        can filter by them across Depot. You can change them later on the token&apos;s page.
      </Body1>
      <ScopeTagInput value={scopeTags} onChange={onChange} />
    </>
  );
}
