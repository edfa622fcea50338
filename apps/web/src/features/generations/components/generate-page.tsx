import { useMemo, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { GENERATION_RANGES, type Generation, type GenerationConfig, type Model, type Plan } from '@visiona/shared';
import { ButtonLink, Card, ErrorState, Icon, PageHeader, SelectField, Skeleton, SkeletonText } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount } from '@/lib/format';
import { imagesPerGenerationHint } from '@/lib/plan-limits';
import { useGenerateForm } from '../hooks/use-generate-form';
import { EnhanceSection } from './enhance-section';
import { GenerationOptionsPanel } from './generation-options';
import { GenerationSummary } from './generation-summary';
import { NoReadyModel } from './no-ready-model';
import { PresetGrid } from './preset-grid';
import { PromptField } from './prompt-field';
import { SESSION_RESULTS_ID, SessionResults } from './session-results';

export interface GeneratePageProps {
  /** The person's models (all statuses); undefined while they load. */
  models: readonly Model[] | undefined;
  modelsError: Error | null;
  onRetryModels: () => void;
  isRetryingModels: boolean;
  /** Undefined while /me loads. */
  balance: number | undefined;
  config: GenerationConfig;
  enhancementEnabled: boolean;
  /** `?model=` from a link on the Models page. */
  requestedModelId: string | null;
  /** Credits were reserved, or refunded: the header's balance should refresh. */
  onCreditsChanged: () => void;
  /** The person's plan (it caps the images per generation); undefined while it loads. */
  plan: Pick<Plan, 'name' | 'limits'> | undefined;
  /** Some plan makes more images per generation: the cap's hint links to Billing. */
  canUpgradeImages: boolean;
}

function GenerateSkeleton() {
  return (
    <div className="generate-layout" aria-busy="true">
      <p className="sr-only" role="status">
        Loading your models
      </p>
      <div className="generate-layout__main">
        <Card>
          <Skeleton width="8rem" height="1rem" />
          <Skeleton height="2.75rem" radius="10px" />
          <Skeleton width="6rem" height="1rem" />
          <Skeleton height="7rem" radius="10px" />
        </Card>
      </div>
      <div className="generate-layout__aside">
        <Card>
          <SkeletonText lines={4} />
          <Skeleton height="2.875rem" radius="10px" />
        </Card>
      </div>
    </div>
  );
}

interface ReadyProps extends Omit<GeneratePageProps, 'models' | 'modelsError' | 'onRetryModels' | 'isRetryingModels'> {
  readyModels: readonly Model[];
}

/** "Up to 2 images on Free — Upgrade", when the plan allows fewer than the API ever makes. */
function ImagesLimitHint({ plan, canUpgrade }: { plan: Pick<Plan, 'name' | 'limits'>; canUpgrade: boolean }) {
  return (
    <>
      {imagesPerGenerationHint(plan)}
      {canUpgrade ? (
        <>
          {' — '}
          <Link to={paths.billing}>Upgrade</Link>
        </>
      ) : null}
    </>
  );
}

function GenerateWorkspace({ readyModels, balance, config, enhancementEnabled, requestedModelId, onCreditsChanged, plan, canUpgradeImages }: ReadyProps) {
  const [announcement, setAnnouncement] = useState('');
  const resultsScrolled = useRef(false);
  const form = useGenerateForm({
    readyModels,
    config,
    enhancementEnabled,
    requestedModelId,
    maxImages: plan?.limits.maxImagesPerGeneration,
    onAccepted: (generation: Generation) => {
      onCreditsChanged();
      setAnnouncement(`Generating ${formatCount(generation.options.numOutputs, 'image')}. They appear under “This session” in a few seconds.`);
      // Bring the new card into view (once the list has rendered it), unless it already is.
      requestAnimationFrame(() => {
        const card = document.querySelector(`[data-generation-id="${CSS.escape(generation.id)}"]`) ?? document.getElementById(SESSION_RESULTS_ID);
        if (!card) return;
        const box = card.getBoundingClientRect();
        if (box.top < 0 || box.bottom > window.innerHeight) card.scrollIntoView({ behavior: resultsScrolled.current ? 'smooth' : 'auto', block: 'nearest' });
        resultsScrolled.current = true;
      });
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.submit();
  }

  const modelOptions = readyModels.map((model) => ({ value: model.id, label: `${model.name} · ${model.triggerWord}` }));

  return (
    <>
      <form className="generate-layout" onSubmit={onSubmit} noValidate aria-label="Generate images" aria-describedby={form.formError ? 'generate-form-error' : undefined}>
        <div className="generate-layout__main">
          <Card className="generate-card" aria-label="Describe your picture">
            <SelectField
              id={form.fieldId('modelId')}
              label="Model"
              options={modelOptions}
              value={form.values.modelId}
              onChange={(event) => form.setModelId(event.target.value)}
              error={form.errors.modelId}
              hint={readyModels.length > 1 ? 'Each model knows you from one training.' : undefined}
            />
            <PromptField form={form} maxLength={config.promptMaxLength} />
            <EnhanceSection form={form} maxLength={config.promptMaxLength} />
            <GenerationOptionsPanel
              form={form}
              imagesLimitHint={
                plan && plan.limits.maxImagesPerGeneration < GENERATION_RANGES.numOutputs.max ? <ImagesLimitHint plan={plan} canUpgrade={canUpgradeImages} /> : undefined
              }
            />
          </Card>
        </div>
        <div className="generate-layout__aside">
          <GenerationSummary form={form} creditsPerImage={config.creditsPerImage} balance={balance} />
        </div>
      </form>
      <SessionResults
        onFinished={(generation) => {
          // A failure or a cancellation gave the credits back.
          if (generation.status !== 'Succeeded') onCreditsChanged();
        }}
      />
      <PresetGrid form={form} creditsPerImage={config.creditsPerImage} />
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </>
  );
}

/** Generate: choose a ready model, write (or enhance) a prompt, pick options or a style, and watch the images arrive. */
export function GeneratePage(props: GeneratePageProps) {
  const { models, modelsError, onRetryModels, isRetryingModels } = props;
  const readyModels = useMemo(() => models?.filter((model) => model.status === 'Ready'), [models]);

  let body;
  if (models === undefined) {
    body = modelsError ? (
      <Card padding="lg">
        <ErrorState title="Your models could not be loaded" error={modelsError} onRetry={onRetryModels} isRetrying={isRetryingModels} />
      </Card>
    ) : (
      <GenerateSkeleton />
    );
  } else if (!readyModels || readyModels.length === 0) {
    body = <NoReadyModel models={models} />;
  } else {
    body = <GenerateWorkspace {...props} readyModels={readyModels} />;
  }

  return (
    <div className="page page--generate">
      <PageHeader
        title="Generate"
        description="Describe a scene and get new pictures of yourself, made by your own model."
        actions={
          <ButtonLink to={paths.gallery} variant="secondary" icon={<Icon name="gallery" size={18} />}>
            Gallery
          </ButtonLink>
        }
      />
      {body}
    </div>
  );
}
