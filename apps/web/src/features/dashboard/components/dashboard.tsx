import type { Me } from '@visiona/shared';
import { Card, ErrorState, PageHeader, Skeleton, SkeletonText, type DisplayableError } from '@/components/ui';
import type { StartSteps } from '../utils/progress';
import { AccountSummary } from './account-summary';
import { GettingStarted } from './getting-started';

export interface DashboardProps {
  me: Me | undefined;
  isPending: boolean;
  error: DisplayableError | null;
  onRetry: () => void;
  isRetrying: boolean;
  /** Where the three steps stand; undefined until the person's photos and models are known. */
  progress?: StartSteps | undefined;
}

/** The first page after signing in: who you are, your plan, and what to do next. */
export function Dashboard({ me, isPending, error, onRetry, isRetrying, progress }: DashboardProps) {
  if (isPending) return <DashboardSkeleton />;
  if (!me) {
    return (
      <div className="page">
        <PageHeader title="Dashboard" />
        <Card padding="lg">
          <ErrorState title="Your account could not be loaded" error={error} onRetry={onRetry} isRetrying={isRetrying} />
        </Card>
      </div>
    );
  }
  return (
    <div className="page page--dashboard">
      <PageHeader
        eyebrow="Dashboard"
        title={
          <>
            Welcome, <span className="greeting__email" data-testid="greeting-email">{me.email}</span>
          </>
        }
        description="Create your AI clone in three steps: upload photos, train your model, then generate."
      />
      <div className="dashboard-grid">
        <GettingStarted progress={progress} />
        <AccountSummary me={me} />
      </div>
    </div>
  );
}

export function DashboardSkeleton() {
  return (
    <div className="page" aria-busy="true">
      <p className="sr-only" role="status">
        Loading your dashboard
      </p>
      <header className="page-header">
        <div className="page-header__text stack stack--sm">
          <Skeleton width="6rem" height="0.9rem" />
          <Skeleton width="min(26rem, 90%)" height="2rem" />
          <Skeleton width="min(32rem, 100%)" height="1rem" />
        </div>
      </header>
      <div className="dashboard-grid">
        <Card padding="lg">
          <div className="stack stack--md">
            <Skeleton width="10rem" height="1.3rem" />
            {[0, 1, 2].map((i) => (
              <div key={i} className="skeleton-row">
                <Skeleton width="2.25rem" height="2.25rem" radius="999px" />
                <SkeletonText lines={2} />
              </div>
            ))}
          </div>
        </Card>
        <Card>
          <div className="stack stack--md">
            <Skeleton width="8rem" height="1.3rem" />
            <SkeletonText lines={4} />
          </div>
        </Card>
      </div>
    </div>
  );
}
