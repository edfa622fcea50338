import type { Generation } from '@visiona/shared';
import { Icon, Spinner, cx } from '@/components/ui';
import { formatCount } from '@/lib/format';
import { useSetFavorite } from '../api/update-image';
import type { GalleryImage } from '../utils/gallery';
import { shortenPrompt } from '../utils/prompt';

export interface GalleryGridProps {
  images: readonly GalleryImage[];
  /** Generations still being made, shown first as placeholders. */
  processing: readonly Generation[];
  onOpen: (index: number) => void;
  onImageError: () => void;
  labelledBy: string;
}

/**
 * The first tiles are on screen when the page opens (up to two rows on a wide screen): loaded at once
 * rather than after layout as lazy images are, and the first row first, since one of them is the
 * page's largest paint.
 */
const EAGER_TILES = 10;
const HIGH_PRIORITY_TILES = 2;

/** The gallery's tiles: each opens the lightbox; the heart marks a favourite without opening it. */
export function GalleryGrid({ images, processing, onOpen, onImageError, labelledBy }: GalleryGridProps) {
  const favorite = useSetFavorite();
  return (
    <>
      <ul className="gallery-grid" aria-labelledby={labelledBy} data-testid="gallery-grid">
        {processing.map((generation) => (
          <li key={generation.id} className="gallery-tile gallery-tile--pending" data-testid="gallery-pending">
            <span className="generation-card__shimmer" aria-hidden="true" />
            <span className="gallery-tile__pending-text">
              <Spinner size="sm" label={null} />
              Generating {formatCount(generation.options.numOutputs, 'image')}…
            </span>
          </li>
        ))}
        {images.map(({ image, generation }, index) => {
          const alt = shortenPrompt(generation.prompt, 200);
          return (
            <li
              key={image.id}
              className={cx('gallery-tile', image.favorite && 'gallery-tile--favorite')}
              data-testid="gallery-image"
              data-image-id={image.id}
              data-generation-id={generation.id}
            >
              <button type="button" className="gallery-tile__open" onClick={() => onOpen(index)} data-lightbox-trigger={image.id}>
                <img
                  src={image.thumbnailUrl}
                  alt={alt}
                  width={image.width}
                  height={image.height}
                  loading={index < EAGER_TILES ? 'eager' : 'lazy'}
                  fetchPriority={index < HIGH_PRIORITY_TILES ? 'high' : undefined}
                  decoding="async"
                  onError={onImageError}
                />
              </button>
              <button
                type="button"
                className="gallery-tile__fav"
                aria-pressed={image.favorite}
                onClick={() => favorite.mutate({ imageId: image.id, favorite: !image.favorite })}
                title={image.favorite ? 'Remove from favourites' : 'Add to favourites'}
                data-testid="tile-favorite"
              >
                <Icon name="heart" size={18} fill={image.favorite ? 'currentColor' : 'none'} />
                <span className="sr-only">Favourite: {shortenPrompt(generation.prompt, 60)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {favorite.error ? (
        <p className="sr-only" role="alert">
          Your favourite could not be saved, so it was put back. {favorite.error.message}
        </p>
      ) : null}
    </>
  );
}
