import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { Alert, Badge, Button, Dialog, Icon, RequestId, Spinner } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { copyAnnouncement, copyText } from '@/lib/clipboard';
import { formatBytes, formatCount, formatCredits, formatDateTime } from '@/lib/format';
import { useDeleteGeneration } from '../api/delete-generation';
import { useSetFavorite } from '../api/update-image';
import { indexAfterRemoval, type GalleryImage } from '../utils/gallery';
import { ASPECT_RATIO_LABELS, FORMAT_LABELS, type AspectRatio, type OutputFormat } from '../utils/options';
import { shortenPrompt } from '../utils/prompt';

export interface ImageLightboxProps {
  items: readonly GalleryImage[];
  /** The image shown; null when closed. */
  index: number | null;
  onIndexChange: (index: number) => void;
  onClose: () => void;
  /** More images exist after the last one loaded (the gallery's next page). */
  hasMore?: boolean;
  isLoadingMore?: boolean;
  onLoadMore?: () => void;
  /** After a generation was deleted from here. */
  onGenerationDeleted?: (generationId: string) => void;
}

function ErrorText({ error }: { error: Error }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <>
      <p>{error.message}</p>
      {api && (api.kind !== 'http' || api.statusCode >= 500) ? <RequestId id={api.requestId} /> : null}
    </>
  );
}

/** The element that opened this image (a grid tile), to give focus back to; the page heading otherwise. */
function triggerOf(imageId: string | undefined): HTMLElement | null {
  const tile = imageId ? document.querySelector<HTMLElement>(`[data-lightbox-trigger="${CSS.escape(imageId)}"]`) : null;
  return tile ?? document.querySelector<HTMLElement>('#main-content h1');
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * The full image in a modal: ← and → move between images (swipe on touch screens), Escape
 * closes and gives focus back to the image's tile. Beside it: the prompts, the options, and
 * Favourite, Download, Copy prompt and Delete (of the whole generation, after confirmation).
 */
export function ImageLightbox({ items, index, onIndexChange, onClose, hasMore = false, isLoadingMore = false, onLoadMore, onGenerationDeleted }: ImageLightboxProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const favorite = useSetFavorite();
  const remove = useDeleteGeneration();
  const [confirming, setConfirming] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [wantsNext, setWantsNext] = useState(false);
  const swipeStart = useRef<{ x: number; y: number } | null>(null);
  const open = index !== null && items.length > 0;
  const current = open ? items[Math.min(index, items.length - 1)] : undefined;
  /** The image shown last: its tile gets the focus back when the lightbox closes. */
  const currentId = useRef<string | undefined>(undefined);
  if (current) currentId.current = current.image.id;

  // Open and close the native modal with the state, and give focus back to the tile of the image shown last.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      closeRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      triggerOf(currentId.current)?.focus();
    }
  }, [open]);

  useEffect(() => () => dialogRef.current?.close(), []);

  // Asked for the next image past the last one loaded: move on once the next page has arrived.
  useEffect(() => {
    if (!wantsNext || index === null) return;
    if (index < items.length - 1) {
      setWantsNext(false);
      onIndexChange(index + 1);
    } else if (!hasMore) {
      setWantsNext(false);
    }
  }, [wantsNext, items.length, index, hasMore, onIndexChange]);

  // Load the neighbours ahead of time, so moving between images is instant.
  useEffect(() => {
    if (index === null) return;
    for (const neighbour of [items[index + 1], items[index - 1]]) {
      if (neighbour) new Image().src = neighbour.image.url;
    }
    // Near the end of what is loaded: fetch the next page in the background.
    if (hasMore && !isLoadingMore && index >= items.length - 3) onLoadMore?.();
  }, [index, items, hasMore, isLoadingMore, onLoadMore]);

  const atStart = index === null || index <= 0;
  const atEnd = index === null || (index >= items.length - 1 && !hasMore);

  function go(delta: -1 | 1) {
    if (index === null) return;
    favorite.reset();
    if (delta === -1 && index > 0) onIndexChange(index - 1);
    if (delta === 1) {
      if (index < items.length - 1) onIndexChange(index + 1);
      else if (hasMore) {
        setWantsNext(true);
        onLoadMore?.();
      }
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select')) return;
    if (event.key === 'ArrowLeft') {
      event.preventDefault();
      go(-1);
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      go(1);
    }
  }

  function onPointerDown(event: PointerEvent) {
    if (event.pointerType === 'mouse') return;
    swipeStart.current = { x: event.clientX, y: event.clientY };
  }

  function onPointerUp(event: PointerEvent) {
    const start = swipeStart.current;
    swipeStart.current = null;
    if (!start) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5) go(dx < 0 ? 1 : -1);
  }

  async function copyPrompt(text: string, what: string) {
    const outcome = await copyText(text);
    setAnnouncement(copyAnnouncement(outcome, what));
  }

  function confirmDelete() {
    if (!current || remove.isPending) return;
    const generationId = current.generation.id;
    const next = indexAfterRemoval(items, index ?? 0, generationId);
    const count = current.generation.images.length;
    remove.mutate(generationId, {
      onSuccess: () => {
        setConfirming(false);
        onGenerationDeleted?.(generationId);
        setAnnouncement(`Deleted ${formatCount(count, 'image')}.`);
        if (next === null) onClose();
        else {
          onIndexChange(next);
          requestAnimationFrame(() => closeRef.current?.focus());
        }
      },
    });
  }

  const generation = current?.generation;
  const image = current?.image;
  const options = generation?.options;
  const imageCount = generation?.images.length ?? 0;
  const enhanced = generation?.enhancement === 'enhanced' && generation.enhancedPrompt;

  return (
    <>
      <dialog
        ref={dialogRef}
        className="lightbox"
        aria-labelledby={titleId}
        onCancel={(event) => {
          event.preventDefault();
          onClose();
        }}
        onKeyDown={onKeyDown}
        data-testid="lightbox"
      >
        {current && generation && image && options ? (
          <div className="lightbox__layout">
            <div className="lightbox__stage" onPointerDown={onPointerDown} onPointerUp={onPointerUp}>
              <div className="lightbox__topbar">
                <h2 className="lightbox__counter" id={titleId} data-testid="lightbox-counter">
                  Image {(index ?? 0) + 1} of {items.length}
                  {hasMore ? '+' : ''}
                </h2>
                <button ref={closeRef} type="button" className="lightbox__icon-button" onClick={onClose}>
                  <Icon name="close" size={20} />
                  <span className="sr-only">Close</span>
                </button>
              </div>
              <figure className="lightbox__figure">
                <img
                  key={image.id}
                  className="lightbox__image"
                  src={image.url}
                  alt={shortenPrompt(generation.prompt, 200)}
                  width={image.width}
                  height={image.height}
                  style={{ backgroundImage: `url("${image.thumbnailUrl}")` }}
                  data-testid="lightbox-image"
                />
              </figure>
              <button type="button" className="lightbox__nav lightbox__nav--prev" onClick={() => go(-1)} disabled={atStart}>
                <Icon name="chevronLeft" size={24} />
                <span className="sr-only">Previous image</span>
              </button>
              <button type="button" className="lightbox__nav lightbox__nav--next" onClick={() => go(1)} disabled={atEnd}>
                {wantsNext && isLoadingMore ? <Spinner size="sm" label={null} /> : <Icon name="chevronRight" size={24} />}
                <span className="sr-only">Next image</span>
              </button>
              <p className="lightbox__keys" aria-hidden="true">
                <kbd>←</kbd> <kbd>→</kbd> to browse · <kbd>Esc</kbd> to close
              </p>
            </div>

            <aside className="lightbox__panel" aria-label="About this image">
              <div className="lightbox__head">
                <p className="lightbox__model">{generation.modelName ?? 'Deleted model'}</p>
                <p className="lightbox__date">
                  <time dateTime={generation.createdAt}>{formatDateTime(generation.createdAt)}</time>
                  {imageCount > 1 ? <> · image {image.index + 1} of {imageCount}</> : null}
                </p>
              </div>

              <div className="lightbox__actions">
                <Button
                  variant={image.favorite ? 'primary' : 'secondary'}
                  size="sm"
                  aria-pressed={image.favorite}
                  onClick={() => favorite.mutate({ imageId: image.id, favorite: !image.favorite })}
                  icon={<Icon name="heart" size={16} fill={image.favorite ? 'currentColor' : 'none'} />}
                  data-testid="lightbox-favorite"
                >
                  Favourite
                </Button>
                <a className="btn btn--secondary btn--sm" href={image.downloadUrl} download rel="noopener" data-testid="lightbox-download">
                  <Icon name="download" size={16} />
                  <span>Download</span>
                </a>
                <button
                  type="button"
                  className="icon-button icon-button--danger lightbox__delete"
                  title={imageCount > 1 ? `Delete this generation (${imageCount} images)` : 'Delete this image'}
                  onClick={() => {
                    remove.reset();
                    setConfirming(true);
                  }}
                >
                  <Icon name="trash" size={18} />
                  <span className="sr-only">Delete</span>
                </button>
              </div>
              {favorite.error ? (
                <Alert tone="danger" role="alert">
                  <p>Your favourite could not be saved, so it was put back. {favorite.error.message}</p>
                </Alert>
              ) : null}

              <section className="lightbox__section" aria-labelledby={`${titleId}-prompt`}>
                <div className="lightbox__section-head">
                  <h3 id={`${titleId}-prompt`}>Prompt</h3>
                  <button type="button" className="text-button" onClick={() => void copyPrompt(generation.prompt, 'prompt')}>
                    <Icon name="copy" size={14} />
                    Copy prompt
                  </button>
                </div>
                <p className="lightbox__prompt" data-testid="lightbox-prompt">
                  {generation.prompt}
                </p>
              </section>

              {enhanced ? (
                <section className="lightbox__section" aria-labelledby={`${titleId}-enhanced`}>
                  <div className="lightbox__section-head">
                    <h3 id={`${titleId}-enhanced`}>
                      Enhanced prompt{' '}
                      <Badge tone="accent">
                        <Icon name="generate" size={12} />
                        AI
                      </Badge>
                    </h3>
                    <button type="button" className="text-button" onClick={() => void copyPrompt(generation.enhancedPrompt ?? '', 'enhanced prompt')}>
                      <Icon name="copy" size={14} />
                      Copy
                    </button>
                  </div>
                  <p className="lightbox__prompt lightbox__prompt--enhanced" data-testid="lightbox-enhanced-prompt">
                    {generation.enhancedPrompt}
                  </p>
                </section>
              ) : null}
              {generation.enhancement === 'unavailable' ? (
                <p className="lightbox__note">AI enhancement was unavailable, so the prompt was used as written.</p>
              ) : null}

              <section className="lightbox__section" aria-labelledby={`${titleId}-details`}>
                <h3 id={`${titleId}-details`}>Details</h3>
                <dl className="lightbox__details">
                  <div>
                    <dt>Size</dt>
                    <dd>
                      {image.width} × {image.height} · {formatBytes(image.byteSize)}
                    </dd>
                  </div>
                  <div>
                    <dt>Aspect ratio</dt>
                    <dd>
                      {ASPECT_RATIO_LABELS[options.aspectRatio as AspectRatio] ?? ''} {options.aspectRatio}
                    </dd>
                  </div>
                  <div>
                    <dt>Format</dt>
                    <dd>{FORMAT_LABELS[options.outputFormat as OutputFormat] ?? options.outputFormat}</dd>
                  </div>
                  <div>
                    <dt>Seed</dt>
                    <dd>{options.seed === null ? 'Random' : options.seed}</dd>
                  </div>
                  <div>
                    <dt>Guidance</dt>
                    <dd>{number.format(options.guidanceScale)}</dd>
                  </div>
                  <div>
                    <dt>Steps</dt>
                    <dd>{options.numInferenceSteps}</dd>
                  </div>
                  <div>
                    <dt>Likeness</dt>
                    <dd>{number.format(options.loraScale)}</dd>
                  </div>
                  <div>
                    <dt>Cost</dt>
                    <dd>{formatCredits(generation.creditsCost)}</dd>
                  </div>
                </dl>
              </section>
              <p className="sr-only" role="status" aria-live="polite" data-testid="lightbox-status">
                {announcement}
              </p>
            </aside>
          </div>
        ) : null}
      </dialog>

      <Dialog
        open={confirming && current !== undefined}
        onClose={() => {
          if (!remove.isPending) setConfirming(false);
        }}
        dismissible={!remove.isPending}
        title={imageCount > 1 ? `Delete these ${imageCount} images?` : 'Delete this image?'}
        returnFocusTo={() => closeRef.current}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button variant="danger" onClick={confirmDelete} isLoading={remove.isPending} loadingText="Deleting…">
              {imageCount > 1 ? `Delete ${imageCount} images` : 'Delete image'}
            </Button>
          </>
        }
      >
        {current ? (
          <div className="delete-photo">
            <img className="delete-photo__thumb" src={current.image.thumbnailUrl} alt="" width={72} height={72} />
            <p>
              {imageCount > 1 ? (
                <>
                  This image was made together with {formatCount(imageCount - 1, 'other image')} from the same prompt. Deleting removes
                  the whole generation: <strong>all {imageCount} images</strong> are deleted from your gallery and from storage.
                </>
              ) : (
                <>The image is deleted from your gallery and from storage.</>
              )}{' '}
              This cannot be undone.
            </p>
          </div>
        ) : null}
        {remove.error ? (
          <Alert tone="danger" role="alert">
            <ErrorText error={remove.error} />
          </Alert>
        ) : null}
      </Dialog>
    </>
  );
}
