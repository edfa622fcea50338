import { useEffect, useRef, useState } from 'react';
import { Button, Card, Icon, ProgressBar, RequestId, cx } from '@/components/ui';
import { formatBytes } from '@/lib/format';
import { queueOutcomeMessage, summarizeQueue, uploadPercent, type UploadItem } from '../utils/upload-queue';

export interface UploadQueueProps {
  items: readonly UploadItem[];
  onRetry: (id: string) => void;
  onRemove: (id: string) => void;
  onClearFinished: () => void;
}

function statusText(item: UploadItem): string {
  switch (item.status) {
    case 'queued':
      return 'Waiting…';
    case 'uploading': {
      const percent = uploadPercent(item);
      return percent >= 99 ? 'Checking…' : `${percent}%`;
    }
    case 'done': {
      const added = item.kind === 'zip' ? `${item.photoCount} ${item.photoCount === 1 ? 'photo' : 'photos'} added` : 'Uploaded';
      if (item.warningCount === 0) return added;
      return `${added} · ${item.warningCount === 1 && item.kind === 'image' ? 'check the warning' : `${item.warningCount} with warnings`}`;
    }
    case 'failed':
      return 'Failed';
  }
}

function UploadRow({ item, onRetry, onRemove }: { item: UploadItem; onRetry: () => void; onRemove: () => void }) {
  const errorId = `${item.id}-error`;
  const active = item.status === 'queued' || item.status === 'uploading';
  const icon = item.status === 'done' ? 'check' : item.status === 'failed' ? 'alert' : item.kind === 'zip' ? 'archive' : 'image';
  const tone = item.status === 'done' ? 'success' : item.status === 'failed' ? 'danger' : 'neutral';
  return (
    <li className={cx('upload-item', `upload-item--${item.status}`)} data-testid="upload-item" data-status={item.status}>
      <span className={`icon-tile icon-tile--sm icon-tile--${tone}`}>
        <Icon name={icon} size={18} />
      </span>
      <div className="upload-item__main">
        <div className="upload-item__row">
          <span className="upload-item__name" title={item.name}>
            {item.name}
          </span>
          <span className="upload-item__size">{formatBytes(item.size)}</span>
        </div>
        {active ? (
          <ProgressBar
            size="sm"
            value={item.status === 'queued' ? 0 : uploadPercent(item)}
            label={`Uploading ${item.name}`}
          />
        ) : null}
        <p className={cx('upload-item__status', item.status === 'done' && item.warningCount > 0 && 'upload-item__status--warning')}>
          {statusText(item)}
        </p>
        {item.error ? (
          <div className="upload-item__error" id={errorId}>
            <p>{item.error.message}</p>
            <RequestId id={item.error.requestId} />
          </div>
        ) : null}
      </div>
      <div className="upload-item__actions">
        {item.status === 'failed' && item.error?.retryable ? (
          <Button size="sm" variant="secondary" onClick={onRetry} icon={<Icon name="refresh" size={14} />} aria-describedby={errorId}>
            Retry<span className="sr-only"> {item.name}</span>
          </Button>
        ) : null}
        <button
          type="button"
          className="icon-button"
          onClick={onRemove}
          title={active ? 'Stop this upload' : 'Remove from the list'}
        >
          <Icon name="close" size={16} />
          <span className="sr-only">
            {active ? 'Stop uploading' : 'Remove'} {item.name}
          </span>
        </button>
      </div>
    </li>
  );
}

/** Every file sent in this visit, each with its progress and outcome. */
export function UploadQueue({ items, onRetry, onRemove, onClearFinished }: UploadQueueProps) {
  const summary = summarizeQueue(items);
  const [announcement, setAnnouncement] = useState('');
  const wasActive = useRef(summary.active > 0);

  // Say how it went once nothing is left to send (not for every single file).
  useEffect(() => {
    if (wasActive.current && summary.active === 0) setAnnouncement(queueOutcomeMessage(summary));
    wasActive.current = summary.active > 0;
  }, [summary]);

  if (items.length === 0) return null;
  const finished = summary.done + summary.failed;

  return (
    <Card aria-labelledby="upload-queue-title" className="upload-queue">
      <header className="card__header">
        <div>
          <h2 className="card__title" id="upload-queue-title">
            Uploads
          </h2>
          <p className="card__description" data-testid="upload-summary">
            {summary.done} of {summary.total} uploaded
            {summary.active > 0 ? ` · ${summary.active} to go` : ''}
            {summary.failed > 0 ? ` · ${summary.failed} failed` : ''}
          </p>
        </div>
        {finished > 0 ? (
          <Button size="sm" variant="ghost" onClick={onClearFinished}>
            Clear finished
          </Button>
        ) : null}
      </header>
      <ul className="upload-list">
        {items.map((item) => (
          <UploadRow key={item.id} item={item} onRetry={() => onRetry(item.id)} onRemove={() => onRemove(item.id)} />
        ))}
      </ul>
      <p className="sr-only" role="status" aria-live="polite" data-testid="upload-status">
        {announcement}
      </p>
    </Card>
  );
}
