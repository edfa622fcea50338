import { useSearchParams } from 'react-router';
import type { GalleryFilters } from '@/features/generations/api/get-generations';
import { GalleryPage } from '@/features/generations/components/gallery-page';
import { useModels } from '@/features/models/api/get-models';

/** The filters live in the address (?model=…&favorites=1), so Back and a shared link keep them. */
function filtersOf(params: URLSearchParams): GalleryFilters {
  return { modelId: params.get('model') || undefined, favorites: params.get('favorites') === '1' || undefined };
}

export function Component() {
  const [params, setParams] = useSearchParams();
  const models = useModels();
  return (
    <GalleryPage
      filters={filtersOf(params)}
      onFiltersChange={(filters) => {
        const next = new URLSearchParams();
        if (filters.modelId) next.set('model', filters.modelId);
        if (filters.favorites) next.set('favorites', '1');
        setParams(next, { replace: true });
      }}
      models={models.data?.items}
    />
  );
}
