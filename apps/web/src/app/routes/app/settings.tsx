import { Card, CardHeader, ErrorState, PageHeader, SkeletonText } from '@/components/ui';
import { DeleteAccountSection } from '@/features/account/components/delete-account-section';
import { ExportDataCard } from '@/features/account/components/export-data-card';
import { AccountActivitySection } from '@/features/audit/components/account-activity-section';
import { useMe } from '@/features/auth/api/get-me';
import { AccountSummary } from '@/features/dashboard/components/account-summary';
import { ApiTokensSection } from '@/features/tokens/components/api-tokens-section';

function AccountSection() {
  const me = useMe();
  if (me.data) return <AccountSummary me={me.data} />;
  if (me.isPending) {
    return (
      <Card aria-busy="true" aria-labelledby="account-summary-title">
        <CardHeader id="account-summary-title" title="Your account" />
        <p className="sr-only" role="status">
          Loading your account
        </p>
        <SkeletonText lines={4} />
      </Card>
    );
  }
  return (
    <Card aria-labelledby="account-summary-title">
      <CardHeader id="account-summary-title" title="Your account" />
      <ErrorState
        level={3}
        title="Your account could not be loaded"
        error={me.error}
        onRetry={() => void me.refetch()}
        isRetrying={me.isFetching}
      />
    </Card>
  );
}

export function Component() {
  return (
    <div className="page page--settings">
      <PageHeader
        title="Settings"
        description="Your account, access to the Visiona API for your scripts and programs, what happened on your account, and your data."
      />
      <div className="settings-grid">
        <div className="settings-grid__main">
          <ApiTokensSection />
          <AccountActivitySection />
        </div>
        <div className="settings-grid__aside settings-aside">
          <AccountSection />
          <ExportDataCard />
        </div>
      </div>
      {/* Last on every screen width, apart from everything else. */}
      <DeleteAccountSection />
    </div>
  );
}
