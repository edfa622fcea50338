import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Model } from '@visiona/shared';
import { Alert, Button, ButtonLink, Card, EmptyState, ErrorState, Icon, PageHeader, SelectField, Skeleton, SkeletonList, cx } from '@/components/ui';
import { paths } from '@/config/paths';
import { generationListQueryKey, useGenerations, type GalleryFilters } from '../api/get-generations';
import { flattenGenerations, flattenImages } from '../utils/gallery';
import { GalleryGrid } from './gallery-grid';
import { ImageLightbox } from './image-lightbox';

export interface GalleryPageProps {
  filters: GalleryFilters;
  onFiltersChange: (filters: GalleryFilters) => void;
  /** For the model filter; undefined while they load. */
  models: readonly Pick<Model, 'id' | 'name'>[] | undefined;
}

const GRID_TITLE_ID = 'gallery-grid-title';

function GallerySkeleton() {
  return (
    <SkeletonList label="Loading your images" className="gallery-grid" rows={12}>
      <li className="gallery-tile">
        <Skeleton height="100%" radius="0" />
      </li>
    </SkeletonList>
  );
}

/** Loads the next page when the end of the grid scrolls into view (the Load more button is the fallback). */
function useInfiniteScroll(enabled: boolean, onReach: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  const callback = useRef(onReach);
  useEffect(() => {
    callback.current = onReach;
  });
  useEffect(() => {
    const node = ref.current;
    if (!enabled || !node || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) callback.current();
    }, { rootMargin: '800px 0px' });
    observer.observe(node);
    return () => observer.disconnect();
  }, [enabled]);
  return ref;
}

/** Every image the person generated, newest first, with filters, infinite scroll and the lightbox. */
export function GalleryPage({ filters, onFiltersChange, models }: GalleryPageProps) {
  const queryClient = useQueryClient();
  const list = useGenerations(filters);
  const [lightboxIndex, setLightboxIndex] = useState<number | null>(null);
  const lastImageRefresh = useRef(0);
  const pages = list.data?.pages;
  const images = useMemo(() => flattenImages(pages), [pages]);
  const processing = useMemo(() => (filters.favorites ? [] : flattenGenerations(pages).filter((generation) => generation.status === 'Processing')), [pages, filters.favorites]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const canLoadMore = hasNextPage && !isFetchingNextPage && !list.isFetchNextPageError;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const sentinel = useInfiniteScroll(canLoadMore, loadMore);
  const filtered = Boolean(filters.modelId || filters.favorites);

  // A thumbnail that fails to load has most likely outlived its signed URL: get fresh ones (at most every 10 s).
  function onImageError() {
    const now = Date.now();
    if (now - lastImageRefresh.current < 10_000) return;
    lastImageRefresh.current = now;
    void list.refetch();
  }

  function closeLightbox() {
    setLightboxIndex(null);
    // Images unmarked in the favourites view leave it now, not while they were being looked at.
    if (filters.favorites) void queryClient.invalidateQueries({ queryKey: generationListQueryKey(filters) });
  }

  const modelOptions = [{ value: '', label: 'All models' }, ...(models ?? []).map((model) => ({ value: model.id, label: model.name }))];
  // A filter for a model that is no longer listed (deleted) still shows, so it can be cleared.
  if (filters.modelId && !modelOptions.some((option) => option.value === filters.modelId)) modelOptions.push({ value: filters.modelId, label: 'Deleted model' });

  let body;
  if (list.isPending) {
    body = <GallerySkeleton />;
  } else if (!list.data) {
    body = <ErrorState title="Your gallery could not be loaded" error={list.error} onRetry={() => void list.refetch()} isRetrying={list.isFetching} />;
  } else if (images.length === 0 && processing.length === 0) {
    body = filtered ? (
      <EmptyState
        icon={filters.favorites ? 'heart' : 'gallery'}
        title={filters.favorites ? 'No favourites here yet' : 'No images from this model yet'}
        description={filters.favorites ? 'Open an image and press the heart to keep it here.' : 'Generate with this model and its images show up here.'}
        action={
          <Button variant="secondary" onClick={() => onFiltersChange({})}>
            Show all images
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon="gallery"
        title="No images yet"
        description="Every picture you generate is kept here, private to your account. Describe a scene and your first images arrive in seconds."
        action={
          <ButtonLink to={paths.generate} icon={<Icon name="generate" size={18} />}>
            Generate images
          </ButtonLink>
        }
      />
    );
  } else {
    body = (
      <>
        <GalleryGrid images={images} processing={processing} onOpen={setLightboxIndex} onImageError={onImageError} labelledBy={GRID_TITLE_ID} />
        <div ref={sentinel} className="gallery-sentinel" aria-hidden="true" />
        {list.isFetchNextPageError ? (
          <Alert tone="warning" role="alert">
            <p>More images could not be loaded. {list.error?.message}</p>
          </Alert>
        ) : null}
        {hasNextPage ? (
          <div className="gallery-more">
            <Button variant="secondary" onClick={loadMore} isLoading={isFetchingNextPage} loadingText="Loading more…" data-testid="load-more">
              Load more
            </Button>
          </div>
        ) : images.length > 24 ? (
          <p className="gallery-end">That’s everything: {images.length} images.</p>
        ) : null}
      </>
    );
  }

  return (
    <div className="page page--gallery">
      <PageHeader
        title="Gallery"
        description="Every image you generated, newest first. Private to your account."
        actions={
          <ButtonLink to={paths.generate} icon={<Icon name="generate" size={18} />}>
            Generate
          </ButtonLink>
        }
      />
      <Card className="gallery-card" aria-labelledby={GRID_TITLE_ID}>
        <h2 id={GRID_TITLE_ID} className="sr-only" tabIndex={-1}>
          Your images
        </h2>
        <div className="gallery-toolbar" hidden={!filtered && list.isSuccess && images.length === 0 && processing.length === 0}>
          <SelectField
            className="gallery-toolbar__model"
            label="Model"
            options={modelOptions}
            value={filters.modelId ?? ''}
            onChange={(event) => onFiltersChange({ ...filters, modelId: event.target.value || undefined })}
          />
          <button
            type="button"
            className={cx('filter-chip', filters.favorites && 'filter-chip--on')}
            aria-pressed={Boolean(filters.favorites)}
            onClick={() => onFiltersChange({ ...filters, favorites: !filters.favorites || undefined })}
            data-testid="favorites-filter"
          >
            <Icon name="heart" size={16} fill={filters.favorites ? 'currentColor' : 'none'} />
            Favourites only
          </button>
          {list.isFetching && !list.isPending && !isFetchingNextPage ? <span className="gallery-toolbar__refreshing">Refreshing…</span> : null}
        </div>
        {list.data && list.isRefetchError ? (
          <Alert tone="warning" role="status">
            <p>Your gallery could not be refreshed, so it may be out of date. {list.error?.message}</p>
          </Alert>
        ) : null}
        {body}
      </Card>
      <ImageLightbox
        items={images}
        index={lightboxIndex}
        onIndexChange={setLightboxIndex}
        onClose={closeLightbox}
        hasMore={Boolean(hasNextPage)}
        isLoadingMore={isFetchingNextPage}
        onLoadMore={loadMore}
      />
    </div>
  );
}
