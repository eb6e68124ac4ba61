import { Button, Caption1, Subtitle1 } from "@fluentui/react-components";
import { ArrowLeft20Regular, ArrowRight20Regular } from "@fluentui/react-icons";
import { useId, useRef, type ReactNode } from "react";
import { PATHS } from "../../../app/paths";
import { navigate } from "../../../app/router";
import { Page } from "../../../components/Page";
import { WizardSteps, useWizardFrameStyles } from "../../../components/WizardSteps";
import { AppleIdStep } from "./AppleIdStep";
import { ConsentStep } from "./ConsentStep";
import { KeyStep } from "./KeyStep";
import { PortalStep } from "./PortalStep";
import { ReviewStep } from "./ReviewStep";
import { ScopeTagsStep } from "./ScopeTagsStep";
import { TokenFileStep } from "./TokenFileStep";
import { LAST_STEP, STEPS, useAddTokenFlow, type AddTokenFlow } from "./useAddTokenFlow";

/** The step on screen, from the flow's state. */
function StepBody({ flow }: { flow: AddTokenFlow }): ReactNode {
  const { progress, update } = flow;
  switch (progress.step) {
    case 1:
      return (
        <ConsentStep consent={progress.consent} onConsent={(consent) => update({ consent })} />
      );
    case 2:
      return (
        <KeyStep
          keyLost={flow.keyLost}
          pendingKey={flow.pendingKey}
          keyValue={flow.key}
          generating={flow.generate.isPending}
          generateError={flow.generate.error}
          onRegenerate={() => flow.generate.mutate(true)}
          savedTo={progress.keySavedTo}
          onSaved={(where) => update({ keySavedTo: where })}
        />
      );
    case 3:
      return (
        <PortalStep
          keySavedTo={progress.keySavedTo}
          hasKey={flow.key !== null}
          issue={flow.issue}
          chosen={flow.chosen}
          fromSimulator={flow.fromSimulator}
        />
      );
    case 4:
      return (
        <AppleIdStep
          appleId={progress.appleId}
          error={flow.appleIdError}
          onChange={(appleId) => update({ appleId })}
          onBlur={flow.touchAppleId}
        />
      );
    case 5:
      return <TokenFileStep appleId={progress.appleId} flow={flow} />;
    case 6:
      return (
        <ScopeTagsStep
          scopeTags={progress.scopeTags}
          onChange={(scopeTags) => update({ scopeTags })}
        />
      );
    default:
      return <ReviewStep appleId={progress.appleId} scopeTags={progress.scopeTags} flow={flow} />;
  }
}

/**
 * Add token (TOK-1): seven steps from consent to Create. The admin may leave
 * for Apple's portal at any step and come back later; the flow remembers
 * where they were (useAddTokenFlow).
 */
export function AddTokenWizard() {
  const frame = useWizardFrameStyles();
  const panelRef = useRef<HTMLDivElement>(null);
  const flow = useAddTokenFlow(panelRef);
  const { step } = flow.progress;
  const headingId = useId();

  return (
    <Page
      testId="add-token"
      title="Add enrollment program token"
      description="Connect Depot to an MDM server in Apple Business Manager or Apple School Manager."
      actions={
        <>
          <Button appearance="subtle" onClick={flow.restart} data-testid="wizard-restart">
            Start over
          </Button>
          <Button
            icon={<ArrowLeft20Regular />}
            onClick={() => navigate(PATHS.tokens)}
            data-testid="wizard-close"
          >
            Back to tokens
          </Button>
        </>
      }
    >
      <div className={frame.layout}>
        <WizardSteps
          steps={STEPS}
          current={step}
          reachable={flow.reachable}
          done={(n) => n < step && flow.valid(n)}
          onSelect={flow.goTo}
          label="Add token steps"
        />
        <div
          className={frame.panel}
          ref={panelRef}
          tabIndex={-1}
          role="group"
          aria-labelledby={headingId}
        >
          <section className={frame.panelBody} data-testid={`wizard-step-${step}`}>
            <Subtitle1 as="h2" id={headingId} className={frame.panelHeading}>
              {step}. {STEPS[step - 1]?.title}
            </Subtitle1>
            <StepBody flow={flow} />
          </section>
          <div className={frame.footer}>
            <Button
              icon={<ArrowLeft20Regular />}
              disabled={step === 1 || flow.add.isPending}
              onClick={() => flow.goTo(step - 1)}
              data-testid="wizard-back"
            >
              Back
            </Button>
            {step < LAST_STEP ? (
              <Button
                appearance="primary"
                icon={<ArrowRight20Regular />}
                iconPosition="after"
                disabled={!flow.canGoNext}
                onClick={() => flow.goTo(step + 1)}
                data-testid="wizard-next"
              >
                Next
              </Button>
            ) : (
              <Button
                appearance="primary"
                disabled={!flow.reachable(LAST_STEP) || flow.add.isPending}
                onClick={() => flow.add.mutate()}
                data-testid="wizard-create"
              >
                {flow.add.isPending ? "Creating…" : "Create"}
              </Button>
            )}
            <Caption1 className={frame.footerNote}>
              Your progress is kept if you leave this page.
            </Caption1>
          </div>
        </div>
      </div>
    </Page>
  );
}
