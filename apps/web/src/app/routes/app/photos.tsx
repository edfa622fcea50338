import { useLoadedConfig } from '@/features/config/api/get-config';
import { PhotosPage } from '@/features/photos/components/photos-page';

export function Component() {
  const config = useLoadedConfig();
  return <PhotosPage limits={config.uploads} minPhotos={config.training.minPhotos} />;
}
