import type { UploadLimits } from '@visiona/shared';
import { Alert, ButtonLink, Card, EmptyState, ErrorState, Icon, PageHeader, Skeleton, SkeletonList } from '@/components/ui';
import { paths } from '@/config/paths';
import { usePhotos } from '../api/get-photos';
import { useUploadQueue } from '../hooks/use-upload-queue';
import { PHOTO_GRID_HEADING_ID, PhotoGrid } from './photo-grid';
import { PhotoDropzone } from './photo-dropzone';
import { PhotoTips } from './photo-tips';
import { PhotosSummary, PhotosSummarySkeleton } from './photos-summary';
import { UploadQueue } from './upload-queue';

export interface PhotosPageProps {
  limits: UploadLimits;
  minPhotos: number;
}

function PhotoGridSkeleton() {
  return (
    <SkeletonList label="Loading your photos" className="photo-grid" rows={8}>
      <li className="photo-card">
        <Skeleton className="photo-card__media" height="auto" radius="0" />
        <div className="photo-card__body">
          <Skeleton width="70%" height="0.9rem" />
          <Skeleton width="45%" height="0.8rem" />
        </div>
      </li>
    </SkeletonList>
  );
}

/** Upload photos (drop zone and queue), see and prune them, and know when there are enough to train. */
export function PhotosPage({ limits, minPhotos }: PhotosPageProps) {
  const photos = usePhotos();
  const queue = useUploadQueue(limits);
  const list = photos.data;
  const ready = list !== undefined && list.count >= minPhotos;

  let grid;
  if (photos.isPending) {
    grid = <PhotoGridSkeleton />;
  } else if (!list) {
    grid = (
      <ErrorState
        level={3}
        className="state--compact"
        title="Your photos could not be loaded"
        error={photos.error}
        onRetry={() => void photos.refetch()}
        isRetrying={photos.isFetching}
      />
    );
  } else if (list.items.length === 0) {
    grid = (
      <EmptyState
        level={3}
        className="state--compact"
        icon="photos"
        title={queue.uploading ? 'Your first photos are on their way' : 'No photos yet'}
        description={`Add at least ${minPhotos} photos of yourself above. They appear here as soon as each one is uploaded and checked.`}
      />
    );
  } else {
    grid = <PhotoGrid photos={list.items} />;
  }

  return (
    <div className="page page--photos">
      <PageHeader
        title="Photos"
        description="The photos Visiona learns your likeness from. Only you can see them."
        actions={
          ready ? (
            <ButtonLink to={paths.trainModel} icon={<Icon name="models" size={18} />}>
              Train a model
            </ButtonLink>
          ) : null
        }
      />
      <div className="photos-layout">
        <div className="photos-layout__main">
          <Card aria-labelledby="add-photos-title" className="photos-upload">
            <h2 className="sr-only" id="add-photos-title">
              Add photos
            </h2>
            <PhotoDropzone limits={limits} onFiles={queue.add} />
          </Card>
          <UploadQueue items={queue.items} onRetry={queue.retry} onRemove={queue.remove} onClearFinished={queue.clearFinished} />
          <Card aria-labelledby={PHOTO_GRID_HEADING_ID}>
            <header className="card__header">
              <div>
                <h2 className="card__title" id={PHOTO_GRID_HEADING_ID} tabIndex={-1}>
                  Your photos
                  {list && list.count > 0 ? <span className="title-count"> ({list.count})</span> : null}
                </h2>
                <p className="card__description">Newest first. Open one to see it full size.</p>
              </div>
            </header>
            {list && photos.isError ? (
              <Alert tone="warning" role="status">
                <p>Your photos could not be refreshed, so this may be out of date. {photos.error.message}</p>
              </Alert>
            ) : null}
            {grid}
          </Card>
        </div>
        <div className="photos-layout__aside">
          {list ? (
            <PhotosSummary list={list} limits={limits} minPhotos={minPhotos} />
          ) : photos.isPending ? (
            <PhotosSummarySkeleton />
          ) : null}
          <PhotoTips minRecommendedSide={limits.minRecommendedSide} />
        </div>
      </div>
    </div>
  );
}
