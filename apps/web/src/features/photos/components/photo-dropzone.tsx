import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { UploadLimits } from '@visiona/shared';
import { Button, Icon, cx } from '@/components/ui';
import { formatBytes } from '@/lib/format';
import { acceptAttribute, formatNames } from '../utils/file-checks';

export interface PhotoDropzoneProps {
  limits: UploadLimits;
  onFiles: (files: File[]) => void;
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/**
 * Where photos come in: dropped on the zone, or picked with the Choose files button (the
 * keyboard and phone way). The input takes images of the accepted types and zips.
 */
export function PhotoDropzone({ limits, onFiles }: PhotoDropzoneProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  const [dragging, setDragging] = useState(false);

  // A file dropped just outside the zone would make the browser open it and leave Visiona
  // (and the uploads in progress): on this page, such drops do nothing.
  useEffect(() => {
    const ignore = (event: globalThis.DragEvent) => {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files')) event.preventDefault();
    };
    window.addEventListener('dragover', ignore);
    window.addEventListener('drop', ignore);
    return () => {
      window.removeEventListener('dragover', ignore);
      window.removeEventListener('drop', ignore);
    };
  }, []);

  function onDragEnter(event: DragEvent<HTMLDivElement>) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth.current++;
    setDragging(true);
  }

  function onDragLeave() {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    depth.current = 0;
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  }

  return (
    <div
      className={cx('dropzone', dragging && 'dropzone--active')}
      data-testid="dropzone"
      onDragEnter={onDragEnter}
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <span className="dropzone__icon">
        <Icon name="upload" size={26} />
      </span>
      <p className="dropzone__title">
        <span className="dropzone__pointer-text">{dragging ? 'Drop to upload' : 'Drag photos or a zip here'}</span>
        <span className="dropzone__touch-text">Add photos of yourself</span>
      </p>
      <p className="dropzone__or" aria-hidden="true">
        or
      </p>
      <Button size="lg" onClick={() => inputRef.current?.click()} icon={<Icon name="plus" size={18} />}>
        Choose files
      </Button>
      <input
        ref={inputRef}
        type="file"
        multiple
        accept={acceptAttribute(limits.acceptedFormats)}
        className="sr-only"
        tabIndex={-1}
        aria-label="Photos or a zip of photos to upload"
        data-testid="photo-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          // Clear it, so choosing the same file again (after a failure) still counts as a change.
          event.target.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
      <p className="dropzone__limits">
        {formatNames(limits.acceptedFormats)}, up to {formatBytes(limits.maxFileBytes)} each, or a .zip of up to{' '}
        {limits.maxZipEntries} photos ({formatBytes(limits.maxRequestBytes)}).
      </p>
    </div>
  );
}
