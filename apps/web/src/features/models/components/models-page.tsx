import { useEffect, useRef, useState } from 'react';
import type { Model, Plan } from '@visiona/shared';
import { Alert, Button, ButtonLink, Card, EmptyState, ErrorState, Icon, PageHeader, Skeleton, SkeletonList, SkeletonText } from '@/components/ui';
import { paths } from '@/config/paths';
import { countsAgainstModelLimit, isAtModelLimit } from '@/lib/plan-limits';
import { useModels } from '../api/get-models';
import { newlyFinished } from '../utils/training-progress';
import { ModelCard } from './model-card';
import { ModelDialogs, type ModelAction } from './model-dialogs';
import { MODEL_LIST_ID, ModelLimitNotice, ModelUsage } from './model-limit';

export interface ModelsPageProps {
  /** The server offers training at all. */
  trainingEnabled: boolean;
  /** The model just started from the Train page, to point it out. */
  startedModelId: string | null;
  /** A training ended or was canceled: credits may have been refunded. */
  onCreditsMayHaveChanged: () => void;
  /** The person's plan (how many models it allows); undefined while it loads. */
  plan: Pick<Plan, 'name' | 'limits'> | undefined;
  /** Some plan allows more models: the limit notice offers an upgrade. */
  canUpgradeModels: boolean;
}

function finishedMessage(model: Model): string {
  if (model.status === 'Ready') return `${model.name} is ready. You can generate images with it now.`;
  if (model.status === 'Failed') return `The training of ${model.name} failed. Your credits were refunded.`;
  return `The training of ${model.name} was canceled.`;
}

function ModelListSkeleton() {
  return (
    <SkeletonList label="Loading your models" className="model-list" rows={2}>
      <li className="card model-card">
        <div className="skeleton-row">
          <Skeleton width="2.5rem" height="2.5rem" radius="10px" />
          <SkeletonText lines={2} />
        </div>
        <Skeleton height="0.6rem" radius="999px" />
      </li>
    </SkeletonList>
  );
}

/** The person's models with live training progress (polled while any trains), Cancel and Delete. */
export function ModelsPage({ trainingEnabled, startedModelId, onCreditsMayHaveChanged, plan, canUpgradeModels }: ModelsPageProps) {
  const models = useModels();
  const [action, setAction] = useState<ModelAction | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const previous = useRef<Model[] | undefined>(undefined);
  const items = models.data?.items;
  const callback = useRef(onCreditsMayHaveChanged);
  useEffect(() => {
    callback.current = onCreditsMayHaveChanged;
  });

  // Announce trainings that just ended, and refresh the balance (failures and cancellations are refunded).
  useEffect(() => {
    if (!items) return;
    const finished = newlyFinished(previous.current, items);
    previous.current = items;
    if (finished.length === 0) return;
    setAnnouncement(finished.map(finishedMessage).join(' '));
    callback.current();
  }, [items]);

  const anyProcessing = items?.some((model) => model.status === 'Processing') ?? false;
  const counted = items?.filter((model) => countsAgainstModelLimit(model.status)).length;
  const atLimit = plan !== undefined && counted !== undefined && isAtModelLimit(counted, plan);

  let body;
  if (models.isPending) {
    body = <ModelListSkeleton />;
  } else if (!items) {
    body = (
      <Card padding="lg">
        <ErrorState title="Your models could not be loaded" error={models.error} onRetry={() => void models.refetch()} isRetrying={models.isFetching} />
      </Card>
    );
  } else if (items.length === 0) {
    body = (
      <Card padding="lg">
        <EmptyState
          icon="models"
          title="No models yet"
          description="A model learns your likeness from your photos. Upload at least a handful of clear photos of yourself, then start a training: it takes a few minutes."
          action={
            <div className="button-row">
              <ButtonLink to={paths.photos} variant="secondary" icon={<Icon name="photos" size={18} />}>
                Upload photos
              </ButtonLink>
              <ButtonLink to={paths.trainModel} icon={<Icon name="models" size={18} />}>
                Train a model
              </ButtonLink>
            </div>
          }
        />
      </Card>
    );
  } else {
    body = (
      <ul className="model-list" aria-label="Your models" id={MODEL_LIST_ID} tabIndex={-1}>
        {items.map((model) => (
          <ModelCard
            key={model.id}
            model={model}
            highlighted={model.id === startedModelId}
            onCancel={(trigger) => setAction({ kind: 'cancel', model, trigger })}
            onDelete={(trigger) => setAction({ kind: 'delete', model, trigger })}
          />
        ))}
      </ul>
    );
  }

  return (
    <div className="page page--models">
      <PageHeader
        title="Models"
        description="Your personal image models, trained on your photos."
        actions={
          items && items.length > 0 ? (
            <div className="models-actions">
              {plan && counted !== undefined ? <ModelUsage count={counted} plan={plan} /> : null}
              {atLimit ? (
                <Button disabled icon={<Icon name="plus" size={18} />} aria-describedby="model-limit-reason">
                  Train a new model
                </Button>
              ) : (
                <ButtonLink to={paths.trainModel} icon={<Icon name="plus" size={18} />}>
                  Train a new model
                </ButtonLink>
              )}
            </div>
          ) : null
        }
      />
      {!trainingEnabled ? (
        <Alert tone="warning" title="Training is turned off on this server">
          <p>You can see your models, but new trainings cannot start until whoever runs this server turns training on.</p>
        </Alert>
      ) : null}
      {startedModelId && items?.some((model) => model.id === startedModelId && model.status === 'Processing') ? (
        <Alert tone="success" title="Training started" role="status">
          <p>This takes a few minutes. You can leave this page: the training carries on, and this page shows where it stands.</p>
        </Alert>
      ) : null}
      {items && models.isError ? (
        <Alert tone="warning" role="status">
          <p>
            {anyProcessing ? 'Progress could not be refreshed, so it may be out of date.' : 'This list could not be refreshed.'}{' '}
            {models.error.message}
          </p>
        </Alert>
      ) : null}
      {/* After the news of a training that just started: the limit is what comes next, not what happened. */}
      {plan && counted !== undefined ? (
        <ModelLimitNotice id="model-limit-reason" count={counted} plan={plan} canUpgrade={canUpgradeModels} listedHere />
      ) : null}
      {body}
      <p className="sr-only" role="status" aria-live="polite" data-testid="models-status">
        {announcement}
      </p>
      <ModelDialogs
        action={action}
        onClose={() => setAction(null)}
        onDone={(message, refunded) => {
          setAnnouncement(message);
          if (refunded) callback.current();
        }}
      />
    </div>
  );
}
