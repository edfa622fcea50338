import type { Generation } from '@visiona/shared';
import { Alert, Badge, Icon, ProgressBar, Spinner, cx, type BadgeTone } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { formatCount, formatCredits, formatDateTime } from '@/lib/format';
import { aspectRatioValue } from '../utils/options';
import { shortenPrompt } from '../utils/prompt';

const STATUS: Record<Generation['status'], { label: string; tone: BadgeTone }> = {
  Processing: { label: 'Generating', tone: 'accent' },
  Succeeded: { label: 'Done', tone: 'success' },
  Failed: { label: 'Failed', tone: 'danger' },
  Canceled: { label: 'Canceled', tone: 'neutral' },
};

export interface GenerationCardProps {
  generation: Generation | undefined;
  /** The last refresh failed (the card may be out of date), or the first load did. */
  error: Error | null;
  onOpenImage: (imageId: string) => void;
  onDismiss: () => void;
}

/** "Your 2 credits were refunded." */
export function refundText(cost: number): string {
  if (cost <= 0) return 'Nothing was charged.';
  return `Your ${formatCredits(cost)} ${cost === 1 ? 'was' : 'were'} refunded.`;
}

/** What the progress line says while the images are being made. */
function progressText(generation: Generation): string {
  const count = generation.options.numOutputs;
  const what = count === 1 ? 'your image' : `${count} images`;
  if (generation.progress === null) return `Preparing ${what}…`;
  return `Generating ${what}`;
}

/**
 * A generation started on this page: a pending card that fills in with the images as they are
 * stored, with progress when the model reports it; a failure says why and that it was refunded.
 */
export function GenerationCard({ generation, error, onOpenImage, onDismiss }: GenerationCardProps) {
  if (!generation) {
    const gone = error instanceof ApiError && error.statusCode === 404;
    return (
      <li className="card generation-card" data-testid="generation-card">
        {error ? (
          <Alert tone={gone ? 'info' : 'warning'}>
            <p>{gone ? 'This generation was deleted.' : `This generation could not be loaded. ${error.message}`}</p>
          </Alert>
        ) : (
          <p className="generation-card__note">
            <Spinner size="sm" label={null} /> Loading…
          </p>
        )}
        <button type="button" className="text-button generation-card__dismiss" onClick={onDismiss}>
          Remove from this list
        </button>
      </li>
    );
  }

  const status = STATUS[generation.status];
  const processing = generation.status === 'Processing';
  const ratio = aspectRatioValue(generation.options.aspectRatio);
  const count = Math.max(generation.options.numOutputs, generation.images.length);
  const images = [...generation.images].sort((a, b) => a.index - b.index);
  const placeholders = processing ? Math.max(0, count - images.length) : 0;
  const percent = generation.progress === null ? null : Math.round(generation.progress);
  const progressId = `generation-${generation.id}-progress`;

  return (
    <li
      className={cx('card', 'generation-card', `generation-card--${generation.status.toLowerCase()}`)}
      data-testid="generation-card"
      data-generation-id={generation.id}
      data-status={generation.status}
      aria-busy={processing || undefined}
    >
      <div className="generation-card__head">
        <div className="generation-card__title">
          <p className="generation-card__prompt" title={generation.prompt}>
            {shortenPrompt(generation.enhancedPrompt ?? generation.prompt, 180)}
          </p>
          <p className="generation-card__meta">
            {generation.modelName ?? 'Deleted model'} · <time dateTime={generation.createdAt}>{formatDateTime(generation.createdAt)}</time> ·{' '}
            {formatCount(generation.options.numOutputs, 'image')} · {formatCredits(generation.creditsCost)}
            {generation.enhancement === 'enhanced' ? (
              <>
                {' '}
                <Badge tone="accent" className="generation-card__badge">
                  <Icon name="generate" size={12} />
                  AI-enhanced
                </Badge>
              </>
            ) : null}
          </p>
        </div>
        <Badge tone={status.tone} className="generation-card__status" data-testid="generation-status">
          {processing ? <Spinner size="sm" label={null} /> : generation.status === 'Succeeded' ? <Icon name="check" size={12} /> : null}
          {status.label}
        </Badge>
      </div>

      {processing ? (
        <div className="generation-card__progress">
          <div className="generation-card__progress-head">
            <span id={progressId}>{progressText(generation)}</span>
            {percent !== null ? <span aria-hidden="true">{percent}%</span> : null}
          </div>
          <ProgressBar value={percent} labelledBy={progressId} size="sm" valueText={percent === null ? 'Starting' : `${percent}%`} />
        </div>
      ) : null}

      {generation.enhancement === 'unavailable' ? (
        <p className="generation-card__note">
          <Icon name="info" size={14} /> AI enhancement was unavailable, so your prompt was used as written.
        </p>
      ) : null}

      {images.length > 0 || placeholders > 0 ? (
        <ul className={cx('generation-card__images', `generation-card__images--${Math.min(count, 4)}`)} aria-label="Images">
          {images.map((image) => (
            <li key={image.id} className="generation-card__image" style={{ aspectRatio: `${image.width} / ${image.height}` }}>
              <button type="button" className="generation-card__open" onClick={() => onOpenImage(image.id)} data-lightbox-trigger={image.id}>
                <img src={image.thumbnailUrl} alt={shortenPrompt(generation.prompt, 200)} width={image.width} height={image.height} decoding="async" data-testid="generation-image" />
                {image.favorite ? (
                  <span className="generation-card__fav" aria-label="Favourite" role="img">
                    <Icon name="heart" size={14} fill="currentColor" />
                  </span>
                ) : null}
              </button>
            </li>
          ))}
          {Array.from({ length: placeholders }, (_, i) => (
            <li key={`placeholder-${i}`} className="generation-card__image generation-card__image--pending" style={{ aspectRatio: String(ratio) }} aria-hidden="true">
              <span className="generation-card__shimmer" />
              <Icon name="generate" size={22} />
            </li>
          ))}
        </ul>
      ) : null}

      {generation.status === 'Failed' ? (
        <Alert tone="danger">
          {/* The API's message says why, and (usually) that the credits were refunded. */}
          <p>{generation.error ?? 'The generation failed: the model stopped without saying why.'}</p>
          {/refund/i.test(generation.error ?? '') ? null : (
            <p>
              <strong>{refundText(generation.creditsCost)}</strong>
            </p>
          )}
        </Alert>
      ) : null}
      {generation.status === 'Canceled' ? (
        <p className="generation-card__note">
          This generation was canceled. {refundText(generation.creditsCost)}
        </p>
      ) : null}
      {error && processing ? (
        <p className="generation-card__note generation-card__note--warning" role="status">
          <Icon name="warning" size={14} /> Could not check on it just now; trying again.
        </p>
      ) : null}

      {!processing ? (
        <button type="button" className="text-button generation-card__dismiss" onClick={onDismiss}>
          Hide from this list<span className="sr-only">: {shortenPrompt(generation.prompt, 60)}</span>
        </button>
      ) : null}
    </li>
  );
}
