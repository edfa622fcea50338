import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { Alert, PageHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { meQueryKey, useMe } from '@/features/auth/api/get-me';
import { useCurrentPlan } from '@/features/billing/hooks/use-current-plan';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { useModels } from '@/features/models/api/get-models';
import { TrainModelForm } from '@/features/models/components/train-model-form';
import { photosQueryKey, usePhotos } from '@/features/photos/api/get-photos';
import { countsAgainstModelLimit } from '@/lib/plan-limits';
import type { ModelsLocationState } from './models';

export function Component() {
  const config = useLoadedConfig();
  const me = useMe();
  const photos = usePhotos();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const models = useModels();
  const { plan, canRaise } = useCurrentPlan(me.data?.plan);
  const modelCount = models.data?.items.filter((model) => countsAgainstModelLimit(model.status)).length;

  return (
    <div className="page page--train">
      <PageHeader
        eyebrow={<Link to={paths.models}>Models</Link>}
        title="Train a model"
        description="Visiona fine-tunes a personal FLUX image model on your photos. It takes a few minutes and runs in the background."
      />
      {!config.features.training ? (
        <Alert tone="warning" title="Training is turned off on this server">
          <p>Whoever runs this Visiona server has not set up model training, so a training cannot start here yet.</p>
        </Alert>
      ) : null}
      <TrainModelForm
        training={config.training}
        creditBalance={me.data?.creditBalance}
        photoCount={photos.data?.count}
        modelLimit={plan && modelCount !== undefined ? { count: modelCount, plan, canUpgrade: canRaise('maxModels') } : undefined}
        onCreated={(model) => {
          // The training took the photos (they leave the Photos page) and the credits.
          queryClient.removeQueries({ queryKey: photosQueryKey });
          void queryClient.invalidateQueries({ queryKey: meQueryKey });
          const state: ModelsLocationState = { startedModelId: model.id };
          void navigate(paths.models, { state });
        }}
      />
    </div>
  );
}
