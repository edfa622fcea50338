import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { Photo } from '@visiona/shared';
import { Alert, Badge, Button, Dialog, Icon, RequestId } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { formatBytes } from '@/lib/format';
import { useDeletePhoto } from '../api/delete-photo';
import { photosQueryKey } from '../api/get-photos';
import { warningLabel } from '../utils/photo-warnings';

export const PHOTO_GRID_HEADING_ID = 'photo-grid-title';

function PhotoCard({ photo, onDelete, onImageError }: { photo: Photo; onDelete: (trigger: HTMLButtonElement) => void; onImageError: () => void }) {
  const hasWarnings = photo.warnings.length > 0;
  return (
    <li className={hasWarnings ? 'photo-card photo-card--warned' : 'photo-card'} data-testid="photo-card" data-photo-id={photo.id}>
      <a className="photo-card__media" href={photo.url} target="_blank" rel="noopener noreferrer">
        <img
          src={photo.thumbnailUrl}
          alt=""
          width={photo.width}
          height={photo.height}
          loading="lazy"
          decoding="async"
          onError={onImageError}
        />
        <span className="sr-only">Open {photo.originalName} full size (new tab)</span>
        {hasWarnings ? (
          <span className="photo-card__flag" aria-hidden="true">
            <Icon name="warning" size={14} />
          </span>
        ) : null}
      </a>
      <div className="photo-card__body">
        <div className="photo-card__title-row">
          <p className="photo-card__name" title={photo.originalName}>
            {photo.originalName}
          </p>
          <button type="button" className="icon-button icon-button--danger" onClick={(event) => onDelete(event.currentTarget)} title="Delete photo">
            <Icon name="trash" size={16} />
            <span className="sr-only">Delete {photo.originalName}</span>
          </button>
        </div>
        <p className="photo-card__meta">
          {photo.width} × {photo.height} · {formatBytes(photo.byteSize)}
        </p>
        {hasWarnings ? (
          <ul className="photo-card__warnings" aria-label="Warnings">
            {photo.warnings.map((warning) => (
              <li key={warning.code} className="photo-warning" data-testid="photo-warning" data-code={warning.code}>
                <Badge tone="warning" title={warning.message}>
                  <Icon name="warning" size={12} />
                  {warningLabel(warning)}
                </Badge>
                <span className="photo-warning__message">{warning.message}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

/** The stored photos as thumbnails, each with its warnings and a confirmed Delete. */
export function PhotoGrid({ photos }: { photos: readonly Photo[] }) {
  const queryClient = useQueryClient();
  const remove = useDeletePhoto();
  const [pending, setPending] = useState<Photo | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const trigger = useRef<HTMLButtonElement | null>(null);
  const deleted = useRef(false);
  const lastImageRefresh = useRef(0);

  function openConfirm(photo: Photo, button: HTMLButtonElement) {
    remove.reset();
    deleted.current = false;
    trigger.current = button;
    setPending(photo);
  }

  function closeConfirm() {
    if (remove.isPending) return;
    setPending(null);
  }

  function confirmDelete() {
    if (!pending || remove.isPending) return;
    const photo = pending;
    remove.mutate(photo.id, {
      onSuccess: () => {
        deleted.current = true;
        setAnnouncement(`${photo.originalName} deleted.`);
        setPending(null);
      },
    });
  }

  // A thumbnail that fails to load has most likely outlived its signed URL: get fresh ones (at most every 10 s).
  function onImageError() {
    const now = Date.now();
    if (now - lastImageRefresh.current < 10_000) return;
    lastImageRefresh.current = now;
    void queryClient.invalidateQueries({ queryKey: photosQueryKey });
  }

  const error = remove.error instanceof ApiError ? remove.error : null;

  return (
    <>
      <ul className="photo-grid" aria-labelledby={PHOTO_GRID_HEADING_ID}>
        {photos.map((photo) => (
          <PhotoCard key={photo.id} photo={photo} onDelete={(button) => openConfirm(photo, button)} onImageError={onImageError} />
        ))}
      </ul>
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
      <Dialog
        open={pending !== null}
        onClose={closeConfirm}
        dismissible={!remove.isPending}
        title="Delete this photo?"
        returnFocusTo={() => (deleted.current ? document.getElementById(PHOTO_GRID_HEADING_ID) : trigger.current)}
        actions={
          <>
            <Button variant="secondary" onClick={closeConfirm} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button variant="danger" onClick={confirmDelete} isLoading={remove.isPending} loadingText="Deleting…">
              Delete photo
            </Button>
          </>
        }
      >
        {pending ? (
          <div className="delete-photo">
            <img className="delete-photo__thumb" src={pending.thumbnailUrl} alt="" width={72} height={72} />
            <p>
              <strong className="break-anywhere">{pending.originalName}</strong> is removed from your training set and
              deleted from storage. This cannot be undone.
            </p>
          </div>
        ) : null}
        {remove.error ? (
          <Alert tone="danger" role="alert">
            <p>{remove.error.message}</p>
            {error && (error.kind !== 'http' || error.statusCode >= 500) ? <RequestId id={error.requestId} /> : null}
          </Alert>
        ) : null}
      </Dialog>
    </>
  );
}
