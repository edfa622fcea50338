import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Generation } from '@visiona/shared';
import { ButtonLink, Card, CardHeader, Icon } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount } from '@/lib/format';
import { generationQueryOptions } from '../api/get-generation';
import { generationListsQueryKey } from '../api/get-generations';
import { removeSessionGeneration, useSessionGenerations } from '../hooks/use-session-generations';
import type { GalleryImage } from '../utils/gallery';
import { GenerationCard, refundText } from './generation-card';
import { ImageLightbox } from './image-lightbox';

export const SESSION_RESULTS_ID = 'session-results';

function finishedMessage(generation: Generation): string {
  if (generation.status === 'Succeeded') return `${formatCount(generation.images.length, 'image')} ready.`;
  if (generation.status === 'Failed') return `A generation failed. ${refundText(generation.creditsCost)}`;
  return 'A generation was canceled.';
}

export interface SessionResultsProps {
  /** A generation ended: failures are refunded, so the balance may have changed. */
  onFinished: (generation: Generation) => void;
}

/** The generations started in this tab, newest first: pending cards that fill in, and their images in a lightbox. */
export function SessionResults({ onFinished }: SessionResultsProps) {
  const ids = useSessionGenerations();
  const queryClient = useQueryClient();
  const queries = useQueries({ queries: ids.map((id) => generationQueryOptions(id)) });
  const [lightboxIndex, setLightboxIndex] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const statuses = useRef(new Map<string, Generation['status']>());
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });

  const generations = queries.map((query) => query.data);
  const images: GalleryImage[] = useMemo(
    () =>
      generations.flatMap((generation) =>
        generation ? [...generation.images].sort((a, b) => a.index - b.index).map((image) => ({ image, generation })) : [],
      ),
    // useQueries returns new arrays on every render: recompute only when what is shown changed.
    [JSON.stringify(generations.map((g) => (g ? [g.id, g.status, g.urlExpiresAt, g.images.map((i) => [i.id, i.favorite])] : null)))],
  );

  // Announce generations that just ended, and let the page refresh the balance.
  useEffect(() => {
    const ended: Generation[] = [];
    for (const generation of generations) {
      if (!generation) continue;
      const before = statuses.current.get(generation.id);
      statuses.current.set(generation.id, generation.status);
      if (before === 'Processing' && generation.status !== 'Processing') ended.push(generation);
    }
    if (ended.length === 0) return;
    setAnnouncement(ended.map(finishedMessage).join(' '));
    // The gallery shows them as they are now.
    void queryClient.invalidateQueries({ queryKey: generationListsQueryKey });
    for (const generation of ended) finished.current(generation);
  });

  const processing = generations.filter((generation) => generation?.status === 'Processing').length;

  return (
    <Card aria-labelledby={`${SESSION_RESULTS_ID}-title`} id={SESSION_RESULTS_ID} className="session-results">
      <CardHeader
        id={`${SESSION_RESULTS_ID}-title`}
        title={
          <>
            This session
            {processing > 0 ? <span className="title-count"> · {processing} in progress</span> : null}
          </>
        }
        description="New images appear here as they are made. Every image is also kept in your gallery."
        action={
          <ButtonLink to={paths.gallery} variant="ghost" size="sm" icon={<Icon name="gallery" size={16} />}>
            Open gallery
          </ButtonLink>
        }
      />
      {ids.length === 0 ? (
        <div className="session-results__empty">
          <Icon name="image" size={20} />
          <p>Write a prompt or pick a style: your pictures show up here in a few seconds.</p>
        </div>
      ) : (
        <ul className="generation-list" aria-label="Generations started in this session">
          {ids.map((id, i) => {
            const query = queries[i];
            return (
              <GenerationCard
                key={id}
                generation={query?.data}
                error={query?.error ?? null}
                onOpenImage={(imageId) => {
                  const at = images.findIndex((item) => item.image.id === imageId);
                  if (at >= 0) setLightboxIndex(at);
                }}
                onDismiss={() => removeSessionGeneration(id)}
              />
            );
          })}
        </ul>
      )}
      <p className="sr-only" role="status" aria-live="polite" data-testid="generate-status">
        {announcement}
      </p>
      <ImageLightbox
        items={images}
        index={lightboxIndex}
        onIndexChange={setLightboxIndex}
        onClose={() => setLightboxIndex(null)}
        onGenerationDeleted={removeSessionGeneration}
      />
    </Card>
  );
}
