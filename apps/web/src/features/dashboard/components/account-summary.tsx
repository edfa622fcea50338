import type { Me } from '@visiona/shared';
import { Badge, ButtonLink, Card, CardHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCredits, formatLongDate, formatPlan } from '@/lib/format';

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
        {typeof me.creditBalance === 'number' ? (
          <div className="facts__row">
            <dt>Credits</dt>
            <dd data-testid="account-credits">{formatCredits(me.creditBalance)}</dd>
          </div>
        ) : null}
        <div className="facts__row">
          <dt>Email</dt>
          <dd className="facts__email">{me.email}</dd>
        </div>
        <div className="facts__row">
          <dt>Member since</dt>
          <dd>
            <time dateTime={me.createdAt}>{formatLongDate(me.createdAt)}</time>
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
