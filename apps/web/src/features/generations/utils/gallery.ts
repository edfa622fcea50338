import type { GeneratedImage, Generation, GenerationList } from '@visiona/shared';

/** One image in a grid or the lightbox, with the generation it came from. */
export interface GalleryImage {
  image: GeneratedImage;
  generation: Generation;
}

/** The pages of an infinite query, as TanStack Query keeps them. */
export interface GenerationPages {
  pages: GenerationList[];
  pageParams: unknown[];
}

/**
 * The images of the loaded pages, newest first: generations in the list's order (the API's,
 * newest first), each one's images by index. A generation that appears on two pages (the list
 * moved while paging) is shown once.
 */
export function flattenImages(pages: readonly GenerationList[] | undefined): GalleryImage[] {
  if (!pages) return [];
  const seen = new Set<string>();
  const out: GalleryImage[] = [];
  for (const page of pages) {
    for (const generation of page.items) {
      if (seen.has(generation.id)) continue;
      seen.add(generation.id);
      const images = [...generation.images].sort((a, b) => a.index - b.index);
      for (const image of images) out.push({ image, generation });
    }
  }
  return out;
}

/** The loaded generations, once each, in the list's order. */
export function flattenGenerations(pages: readonly GenerationList[] | undefined): Generation[] {
  if (!pages) return [];
  const seen = new Set<string>();
  const out: Generation[] = [];
  for (const page of pages) {
    for (const generation of page.items) {
      if (seen.has(generation.id)) continue;
      seen.add(generation.id);
      out.push(generation);
    }
  }
  return out;
}

/** The cursor for the next page, or undefined on the last (TanStack Query's getNextPageParam). */
export function nextCursorOf(page: GenerationList): string | undefined {
  return page.nextCursor ?? undefined;
}

/** How often a pending card asks for news. */
export const GENERATION_POLL_MS = 1500;
/** How often the gallery refreshes while one of its generations is still being made. */
export const GALLERY_POLL_MS = 3000;

/** Milliseconds until the signed URLs of these generations should be renewed, or null when none expire. */
export function msUntilUrlRefresh(generations: ReadonlyArray<Pick<Generation, 'urlExpiresAt' | 'images'>>, now = Date.now()): number | null {
  let earliest = Number.POSITIVE_INFINITY;
  for (const generation of generations) {
    if (!generation.urlExpiresAt || generation.images.length === 0) continue;
    const at = Date.parse(generation.urlExpiresAt);
    if (Number.isFinite(at)) earliest = Math.min(earliest, at);
  }
  if (!Number.isFinite(earliest)) return null;
  const left = earliest - now;
  // A minute early, or a fifth of the lifetime for short-lived URLs; never a tight loop.
  const margin = Math.min(60_000, Math.max(1000, left / 5));
  return Math.max(1000, left - margin);
}

/** The pending card's refetch interval: fast while the images are being made, then only to renew URLs. */
export function generationRefetchInterval(generation: Generation | undefined, now = Date.now()): number | false {
  if (!generation) return false;
  if (generation.status === 'Processing') return GENERATION_POLL_MS;
  return msUntilUrlRefresh([generation], now) ?? false;
}

/** The gallery's refetch interval: while something is being made, and before the URLs expire. */
export function galleryRefetchInterval(pages: readonly GenerationList[] | undefined, now = Date.now()): number | false {
  const generations = flattenGenerations(pages);
  const processing = generations.some((generation) => generation.status === 'Processing');
  const renew = msUntilUrlRefresh(generations, now);
  const intervals = [processing ? GALLERY_POLL_MS : null, renew].filter((ms): ms is number => ms !== null);
  return intervals.length > 0 ? Math.min(...intervals) : false;
}

/**
 * Keeps the signed URLs a generation already has while they stay valid for at least half as
 * long as the new ones, so a refetch (polling) does not make every image download again.
 */
export function keepFreshGenerationUrls(previous: Generation | undefined, next: Generation, now = Date.now()): Generation {
  if (!previous || previous.id !== next.id || !previous.urlExpiresAt || !next.urlExpiresAt) return next;
  if (previous.urlExpiresAt === next.urlExpiresAt) return next;
  const oldLeft = Date.parse(previous.urlExpiresAt) - now;
  const newLeft = Date.parse(next.urlExpiresAt) - now;
  if (!(oldLeft > 0) || !(oldLeft >= newLeft / 2)) return next;
  const old = new Map(previous.images.map((image) => [image.id, image]));
  if (!next.images.every((image) => old.has(image.id))) return next;
  return {
    ...next,
    urlExpiresAt: previous.urlExpiresAt,
    images: next.images.map((image) => {
      const before = old.get(image.id)!;
      return { ...image, url: before.url, thumbnailUrl: before.thumbnailUrl, downloadUrl: before.downloadUrl };
    }),
  };
}

/** keepFreshGenerationUrls over every page of a refetched list. */
export function keepFreshPageUrls(previous: GenerationPages | undefined, next: GenerationPages, now = Date.now()): GenerationPages {
  if (!previous) return next;
  const old = new Map(flattenGenerations(previous.pages).map((generation) => [generation.id, generation]));
  return {
    ...next,
    pages: next.pages.map((page) => ({ ...page, items: page.items.map((generation) => keepFreshGenerationUrls(old.get(generation.id), generation, now)) })),
  };
}

/** The generation with one image's favourite flag set. */
export function withFavorite(generation: Generation, imageId: string, favorite: boolean): Generation {
  if (!generation.images.some((image) => image.id === imageId)) return generation;
  return { ...generation, images: generation.images.map((image) => (image.id === imageId ? { ...image, favorite } : image)) };
}

/** Every page with one image's favourite flag set. */
export function pagesWithFavorite(data: GenerationPages, imageId: string, favorite: boolean): GenerationPages {
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((generation) => withFavorite(generation, imageId, favorite)) })) };
}

/** Every page without one generation. */
export function pagesWithoutGeneration(data: GenerationPages, generationId: string): GenerationPages {
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((generation) => generation.id !== generationId) })) };
}

/** Where the lightbox goes after its image's generation was deleted: the image that took its place, or the one before. */
export function indexAfterRemoval(images: readonly GalleryImage[], currentIndex: number, removedGenerationId: string): number | null {
  const remaining = images.filter((item) => item.generation.id !== removedGenerationId);
  if (remaining.length === 0) return null;
  const before = images.slice(0, currentIndex).filter((item) => item.generation.id !== removedGenerationId).length;
  return Math.min(before, remaining.length - 1);
}

/** Whether the generation ended without images, with its credits given back. */
export function isRefunded(generation: Pick<Generation, 'status'>): boolean {
  return generation.status === 'Failed' || generation.status === 'Canceled';
}
