import { useMe } from '@/features/auth/api/get-me';
import { Dashboard } from '@/features/dashboard/components/dashboard';

export function Component() {
  const me = useMe();
  return (
    <Dashboard
      me={me.data}
      isPending={me.isPending}
      error={me.error}
      onRetry={() => void me.refetch()}
      isRetrying={me.isFetching}
    />
  );
}
