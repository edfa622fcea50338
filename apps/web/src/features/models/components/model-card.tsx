import type { Model, ModelStatus } from '@visiona/shared';
import { Alert, Badge, Button, ButtonLink, Icon, cx, type BadgeTone } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount, formatCredits, formatDateTime } from '@/lib/format';
import { STATUS_LABELS, formatDuration } from '../utils/training-progress';
import { TrainingProgress } from './training-progress';

const STATUS_TONES: Record<ModelStatus, BadgeTone> = {
  Processing: 'accent',
  Ready: 'success',
  Failed: 'danger',
  Canceled: 'neutral',
};

export interface ModelCardProps {
  model: Model;
  highlighted?: boolean;
  onCancel: (trigger: HTMLButtonElement) => void;
  onDelete: (trigger: HTMLButtonElement) => void;
}

function Timestamp({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** One model: what it is, where its training stands, and what can be done with it. */
export function ModelCard({ model, highlighted = false, onCancel, onDelete }: ModelCardProps) {
  const processing = model.status === 'Processing';
  const canceling = processing && model.cancelRequestedAt !== null;
  const took = model.completedAt ? Date.parse(model.completedAt) - Date.parse(model.createdAt) : Number.NaN;
  return (
    <li
      className={cx('card', 'model-card', highlighted && 'model-card--highlighted')}
      data-testid="model-card"
      data-model-id={model.id}
      data-status={model.status}
    >
      <div className="model-card__head">
        <span className={`icon-tile icon-tile--${STATUS_TONES[model.status]}`} aria-hidden="true">
          <Icon name="models" size={20} />
        </span>
        <div className="model-card__title">
          <h2 className="model-card__name">{model.name}</h2>
          <p className="model-card__trigger">
            Trigger word <code>{model.triggerWord}</code>
          </p>
        </div>
        <Badge tone={STATUS_TONES[model.status]} className="model-card__status" data-testid="model-status">
          {model.status === 'Ready' ? <Icon name="check" size={12} /> : null}
          {canceling ? 'Canceling' : STATUS_LABELS[model.status]}
        </Badge>
      </div>

      {processing ? <TrainingProgress progress={model.progress} name={model.name} canceling={canceling} /> : null}

      {model.status === 'Failed' ? (
        <Alert tone="danger">
          {/* The API's message says why, and that the credits were refunded. */}
          <p>{model.error ?? 'The training failed without a reason from the trainer. Its credits were refunded.'}</p>
        </Alert>
      ) : null}
      {model.status === 'Canceled' && model.creditsCost > 0 ? (
        <p className="model-card__note">You canceled this training; its {formatCredits(model.creditsCost)} were refunded.</p>
      ) : null}

      <dl className="model-card__meta">
        <div>
          <dt>Started</dt>
          <dd>
            <Timestamp iso={model.createdAt} />
          </dd>
        </div>
        {model.completedAt ? (
          <div>
            <dt>{model.status === 'Ready' ? 'Ready' : 'Ended'}</dt>
            <dd>
              <Timestamp iso={model.completedAt} />
              {Number.isFinite(took) && model.status === 'Ready' ? <span className="muted"> ({formatDuration(took)})</span> : null}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Trained on</dt>
          <dd>{formatCount(model.photoCount, 'photo')}</dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>{new Intl.NumberFormat().format(model.parameters.steps)}</dd>
        </div>
      </dl>

      <div className="model-card__actions">
        {model.status === 'Ready' ? (
          <ButtonLink to={`${paths.generate}?model=${encodeURIComponent(model.id)}`} size="sm" icon={<Icon name="generate" size={16} />}>
            Generate images
          </ButtonLink>
        ) : null}
        {canceling ? (
          <Button variant="secondary" size="sm" isLoading loadingText="Canceling…">
            Canceling
          </Button>
        ) : processing ? (
          <Button variant="secondary" size="sm" icon={<Icon name="stop" size={16} />} onClick={(event) => onCancel(event.currentTarget)}>
            Cancel training<span className="sr-only"> of {model.name}</span>
          </Button>
        ) : (
          <Button variant="ghost" size="sm" icon={<Icon name="trash" size={16} />} onClick={(event) => onDelete(event.currentTarget)}>
            Delete<span className="sr-only"> {model.name}</span>
          </Button>
        )}
      </div>
    </li>
  );
}
