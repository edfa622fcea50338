import type { Billing, PlanList } from '@visiona/shared';
import { Card, CardHeader, Icon, Skeleton } from '@/components/ui';
import { formatCredits } from '@/lib/format';
import { affordableText } from '../utils/plans';
import { creditsPerPeriod } from '../utils/checkout-return';

export interface CreditsPanelProps {
  billing: Billing;
  /** What training and images cost; undefined while the plans load. */
  costs: PlanList['costs'] | undefined;
}

/** The balance, what things cost, and what the balance pays for. */
export function CreditsPanel({ billing, costs }: CreditsPanelProps) {
  const { creditBalance, plan } = billing;
  const perPeriod = creditsPerPeriod(plan);
  const pending = <Skeleton width="5rem" height="0.9rem" />;
  const affords = costs ? affordableText(creditBalance, costs) : null;

  return (
    <Card aria-labelledby="credits-title" className="credits-panel" data-testid="credits-panel">
      <CardHeader id="credits-title" title="Credits" />
      <div className="credits-panel__balance">
        <span className="icon-tile" aria-hidden="true">
          <Icon name="coins" size={22} />
        </span>
        <div>
          <p className="credits-panel__amount" data-testid="billing-balance">
            {formatCredits(creditBalance)}
          </p>
          <p className="credits-panel__affords">{costs ? affords : <Skeleton width="12rem" height="0.9rem" />}</p>
        </div>
      </div>
      <dl className="facts">
        <div className="facts__row">
          <dt>A model training</dt>
          <dd data-testid="cost-training">{costs ? formatCredits(costs.trainingCredits) : pending}</dd>
        </div>
        <div className="facts__row">
          <dt>Each generated image</dt>
          <dd data-testid="cost-image">{costs ? formatCredits(costs.creditsPerImage) : pending}</dd>
        </div>
        <div className="facts__row">
          <dt>{plan.price?.interval === 'year' ? 'Yearly credits' : 'Monthly credits'}</dt>
          <dd>{perPeriod > 0 ? formatCredits(perPeriod) : `None on ${plan.name}`}</dd>
        </div>
      </dl>
      <p className="credits-panel__note">
        <Icon name="refresh" size={16} />
        <span>Failed or canceled trainings and failed generations give their credits back automatically.</span>
      </p>
    </Card>
  );
}
