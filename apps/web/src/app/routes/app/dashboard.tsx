import { useMe } from '@/features/auth/api/get-me';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { Dashboard } from '@/features/dashboard/components/dashboard';
import { startSteps } from '@/features/dashboard/utils/progress';
import { useModels } from '@/features/models/api/get-models';
import { usePhotos } from '@/features/photos/api/get-photos';

export function Component() {
  const me = useMe();
  const config = useLoadedConfig();
  // The photos and models say how far along the three steps the person is (the same queries as their pages).
  const photos = usePhotos();
  const models = useModels();
  const progress =
    photos.data && models.data ? startSteps({ photoCount: photos.data.count, minPhotos: config.training.minPhotos, models: models.data.items }) : undefined;
  return (
    <Dashboard
      me={me.data}
      isPending={me.isPending}
      error={me.error}
      onRetry={() => void me.refetch()}
      isRetrying={me.isFetching}
      progress={progress}
    />
  );
}
