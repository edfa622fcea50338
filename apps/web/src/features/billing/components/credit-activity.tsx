import type { Billing, Plan } from '@visiona/shared';
import { Card, CardHeader, EmptyState, Icon, cx } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { describeCreditDelta, formatCreditDelta, ledgerEntryLabel } from '../utils/ledger';

export interface CreditActivityProps {
  billing: Pick<Billing, 'ledger' | 'payments'>;
  plans: readonly Plan[];
}

/** The latest credit movements: what each was, when, and how many credits came or went. */
export function CreditActivity({ billing, plans }: CreditActivityProps) {
  const context = { payments: billing.payments, plans };
  return (
    <Card aria-labelledby="activity-title" className="billing-list-card">
      <CardHeader id="activity-title" title="Credit activity" description="Your latest credit movements, newest first." />
      {billing.ledger.length === 0 ? (
        <EmptyState
          level={3}
          icon="coins"
          className="state--compact"
          title="No credit activity yet"
          description="Credits you receive and spend on trainings and images show up here."
        />
      ) : (
        <ul className="ledger-list" aria-labelledby="activity-title" data-testid="ledger">
          {billing.ledger.map((entry) => {
            const gained = entry.delta > 0;
            return (
              <li key={entry.id} className="ledger-item" data-testid="ledger-entry" data-reason={entry.reason}>
                <span className={cx('icon-tile', 'icon-tile--sm', gained ? 'icon-tile--success' : 'icon-tile--neutral')} aria-hidden="true">
                  <Icon name={gained ? 'plus' : 'coins'} size={16} />
                </span>
                <div className="ledger-item__main">
                  <p className="ledger-item__label">{ledgerEntryLabel(entry, context)}</p>
                  <p className="ledger-item__date">
                    <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>
                  </p>
                </div>
                <p className={cx('ledger-item__delta', gained && 'ledger-item__delta--gain')}>
                  <span aria-hidden="true">{formatCreditDelta(entry.delta)}</span>
                  <span className="sr-only">{describeCreditDelta(entry.delta)}</span>
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
