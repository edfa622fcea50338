import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { paths } from '@/config/paths';
import { formatCredits } from '@/lib/format';
import { Alert } from './alert';
import { Card, CardHeader } from './card';
import { Icon } from './icon';
import { Skeleton } from './skeleton';

export interface CostSummaryProps {
  /** Names the card's title id and test ids: `${name}-summary-title`, `${name}-cost`, `${name}-cost-value`, `${name}-balance`. */
  name: string;
  /** The rows above the cost: what is being paid for. */
  facts: ReactNode;
  cost: number;
  /** Undefined while /me loads. */
  balance: number | undefined;
  /** What is left after paying; null while the balance is not known. */
  after: number | null;
  /** The balance is known and does not cover the cost. */
  short: boolean;
  /** The label of the row with what is left, e.g. "After training". */
  afterLabel: string;
  /** The start of the not-enough-credits notice, e.g. "Training costs". */
  costPhrase: string;
  /** When the credits come back. */
  refundNote: string;
  /** Further notices and the submit button. */
  children: ReactNode;
}

/** The summary card of a paid action: what it costs against the balance, what is missing, and the button that starts it. */
export function CostSummary({ name, facts, cost, balance, after, short, afterLabel, costPhrase, refundNote, children }: CostSummaryProps) {
  const loading = <Skeleton width="5rem" height="0.9rem" />;

  return (
    <Card aria-labelledby={`${name}-summary-title`} className="cost-summary">
      <CardHeader id={`${name}-summary-title`} title="Summary" />
      <dl className="facts" data-testid={`${name}-cost`}>
        {facts}
        <div className="facts__row">
          <dt>Cost</dt>
          <dd>
            <strong data-testid={`${name}-cost-value`}>{formatCredits(cost)}</strong>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Your balance</dt>
          <dd data-testid={`${name}-balance`}>{balance === undefined ? loading : formatCredits(balance)}</dd>
        </div>
        {after !== null && !short ? (
          <div className="facts__row">
            <dt>{afterLabel}</dt>
            <dd>{formatCredits(after)}</dd>
          </div>
        ) : null}
      </dl>

      {short ? (
        <Alert tone="warning" title="Not enough credits" role="status">
          <p>
            {costPhrase} {formatCredits(cost)} and you have {formatCredits(balance ?? 0)}. <Link to={paths.billing}>Get more credits</Link>
          </p>
        </Alert>
      ) : null}

      {children}

      <p className="cost-summary__refund">
        <Icon name="coins" size={16} />
        <span>{refundNote}</span>
      </p>
    </Card>
  );
}
