import type { Me } from '@visiona/shared';
import { Badge, ButtonLink, Card, CardHeader } from '@/components/ui';
import { paths } from '@/config/paths';

export function formatPlan(plan: string): string {
  const trimmed = plan.trim();
  if (trimmed === '') return 'Unknown';
  return trimmed
    .split(/[\s_-]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' }).format(date);
}

/** Facts about the account, all straight from /me. */
export function AccountSummary({ me }: { me: Me }) {
  return (
    <Card aria-labelledby="account-summary-title">
      <CardHeader id="account-summary-title" title="Your account" />
      <dl className="facts">
        <div className="facts__row">
          <dt>Plan</dt>
          <dd>
            <Badge tone="accent" data-testid="plan">
              {formatPlan(me.plan)}
            </Badge>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Email</dt>
          <dd className="facts__email">{me.email}</dd>
        </div>
        <div className="facts__row">
          <dt>Member since</dt>
          <dd>
            <time dateTime={me.createdAt}>{formatDate(me.createdAt)}</time>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Sign-in method</dt>
          <dd>{me.authMode === 'clerk' ? 'Clerk' : 'Email and password'}</dd>
        </div>
      </dl>
      <ButtonLink to={paths.billing} variant="secondary" size="sm">
        See plans and billing
      </ButtonLink>
    </Card>
  );
}
