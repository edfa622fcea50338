import { Link } from 'react-router';
import { Alert, Button, CostSummary, Icon, RequestId } from '@/components/ui';
import { paths } from '@/config/paths';
import type { ApiError } from '@/lib/api-client';
import { formatCredits } from '@/lib/format';
import { isPlanLimitError } from '@/lib/plan-limits';
import type { GenerateForm } from '../hooks/use-generate-form';
import { checkGenerationCost } from '../utils/cost';

/** Why a generation did not start, with where to go to fix it. */
function SubmitError({ error }: { error: ApiError }) {
  const showReference = error.kind !== 'http' || error.statusCode >= 500;
  return (
    <>
      <p id="generate-form-error">{error.message}</p>
      {error.statusCode === 402 ? (
        <p>
          <Link to={paths.billing}>Get more credits on the Billing page</Link>
        </p>
      ) : null}
      {error.statusCode === 409 && error.code === 'model_not_ready' ? (
        <p>
          <Link to={paths.models}>See your models</Link>
        </p>
      ) : null}
      {isPlanLimitError(error) ? (
        <p>
          <Link to={paths.billing}>See plans on the Billing page</Link>
        </p>
      ) : null}
      {error.statusCode === 429 && error.retryAfterSeconds ? <p>Try again in {error.retryAfterSeconds} s.</p> : null}
      {showReference ? <RequestId id={error.requestId} /> : null}
    </>
  );
}

export interface GenerationSummaryProps {
  form: GenerateForm;
  creditsPerImage: number;
  /** Undefined while /me loads. */
  balance: number | undefined;
}

/** What the generation costs against the balance, and the button that starts it (or previews the enhancement first). */
export function GenerationSummary({ form, creditsPerImage, balance }: GenerationSummaryProps) {
  const { values, model, step, create, enhance, formError } = form;
  const numOutputs = values.options.numOutputs;
  const { cost, after, short } = checkGenerationCost(numOutputs, creditsPerImage, balance);
  const busyPreset = form.runningPresetId !== null;

  let label: string;
  let icon = <Icon name="generate" size={18} />;
  if (step === 'preview') {
    label = 'Preview enhanced prompt';
  } else {
    label = `${step === 'generate-original' ? 'Generate with my prompt' : 'Generate'} · ${formatCredits(cost)}`;
  }
  if (step === 'preview') icon = <Icon name="arrowRight" size={18} />;

  return (
    <CostSummary
      name="generation"
      facts={
        <>
          <div className="facts__row">
            <dt>Model</dt>
            <dd className="break-anywhere">{model ? model.name : '—'}</dd>
          </div>
          <div className="facts__row">
            <dt>Images</dt>
            <dd>
              {numOutputs} × {formatCredits(creditsPerImage)}
            </dd>
          </div>
        </>
      }
      cost={cost}
      balance={balance}
      after={after}
      short={short}
      afterLabel="After this"
      costPhrase={numOutputs === 1 ? 'This image costs' : `These ${numOutputs} images cost`}
      refundNote="If a generation fails, its credits are refunded."
    >
      {formError ? (
        <Alert tone="danger" role="alert" ref={form.alertRef} focusable className="form-alert">
          <SubmitError error={formError} />
        </Alert>
      ) : null}

      <Button
        type="submit"
        size="lg"
        block
        isLoading={(create.isPending && !busyPreset) || enhance.isPending}
        disabled={create.isPending}
        loadingText={enhance.isPending ? 'Enhancing…' : 'Starting…'}
        icon={icon}
        data-testid="generate-button"
      >
        {label}
      </Button>
      {step === 'preview' ? <p className="generation-summary__note">Nothing is charged for the preview.</p> : null}
    </CostSummary>
  );
}
