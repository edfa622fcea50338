import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { meQueryKey, useMe } from '@/features/auth/api/get-me';
import { useCurrentPlan } from '@/features/billing/hooks/use-current-plan';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { GeneratePage } from '@/features/generations/components/generate-page';
import { useModels } from '@/features/models/api/get-models';

export function Component() {
  const config = useLoadedConfig();
  const me = useMe();
  const models = useModels();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const { plan, canRaise } = useCurrentPlan(me.data?.plan);
  return (
    <GeneratePage
      models={models.data?.items}
      modelsError={models.error}
      onRetryModels={() => void models.refetch()}
      isRetryingModels={models.isFetching}
      balance={me.data?.creditBalance}
      config={config.generation}
      enhancementEnabled={config.features.promptEnhancement}
      requestedModelId={params.get('model')}
      onCreditsChanged={() => void queryClient.invalidateQueries({ queryKey: meQueryKey })}
      plan={plan}
      canUpgradeImages={canRaise('maxImagesPerGeneration')}
    />
  );
}
