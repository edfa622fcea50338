import { useSearchParams } from 'react-router';
import { galleryFiltersFrom } from '@/features/generations/api/get-generations';
import { GalleryPage } from '@/features/generations/components/gallery-page';
import { useModels } from '@/features/models/api/get-models';

export function Component() {
  const [params, setParams] = useSearchParams();
  const models = useModels();
  return (
    <GalleryPage
      filters={galleryFiltersFrom(params)}
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
