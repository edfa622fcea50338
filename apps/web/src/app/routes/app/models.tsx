import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'react-router';
import { meQueryKey, useMe } from '@/features/auth/api/get-me';
import { useCurrentPlan } from '@/features/billing/hooks/use-current-plan';
import { useLoadedConfig } from '@/features/config/api/get-config';
import { ModelsPage } from '@/features/models/components/models-page';

/** Navigation state the Train page leaves when it has started a training. */
export interface ModelsLocationState {
  startedModelId?: string;
}

function startedModelIdOf(state: unknown): string | null {
  const id = (state as ModelsLocationState | null)?.startedModelId;
  return typeof id === 'string' ? id : null;
}

export function Component() {
  const config = useLoadedConfig();
  const queryClient = useQueryClient();
  const location = useLocation();
  const me = useMe();
  const { plan, canRaise } = useCurrentPlan(me.data?.plan);
  return (
    <ModelsPage
      trainingEnabled={config.features.training}
      startedModelId={startedModelIdOf(location.state)}
      onCreditsMayHaveChanged={() => void queryClient.invalidateQueries({ queryKey: meQueryKey })}
      plan={plan}
      canUpgradeModels={canRaise('maxModels')}
    />
  );
}
