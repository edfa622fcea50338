import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Plan } from '@visiona/shared';
import { Alert, CostSummary, Skeleton, cx } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount } from '@/lib/format';
import { isAtModelLimit, modelUsageText } from '@/lib/plan-limits';
import { checkCost } from '../utils/train-form';

export interface TrainingSummaryProps {
  cost: number;
  /** Undefined while /me loads. */
  balance: number | undefined;
  /** Undefined while the photo list loads. */
  photoCount: number | undefined;
  minPhotos: number;
  /** Models that count against the plan, and the plan; undefined while they load. */
  modelUsage?: { count: number; plan: Pick<Plan, 'name' | 'limits'> };
  /** The form's error and submit button. */
  children: ReactNode;
}

/** What the training uses and costs, what is missing, and the button that starts it. */
export function TrainingSummary({ cost, balance, photoCount, minPhotos, modelUsage, children }: TrainingSummaryProps) {
  const { short, after } = checkCost(cost, balance);
  const tooFewPhotos = photoCount !== undefined && photoCount < minPhotos;

  return (
    <CostSummary
      name="training"
      facts={
        <>
          <div className="facts__row">
            <dt>Photos</dt>
            <dd>
              {photoCount === undefined ? <Skeleton width="5rem" height="0.9rem" /> : formatCount(photoCount, 'photo')}{' '}
              <Link to={paths.photos} className="facts__link">
                Review<span className="sr-only"> your photos</span>
              </Link>
            </dd>
          </div>
          <div className="facts__row">
            <dt>Models</dt>
            <dd className={cx(modelUsage && isAtModelLimit(modelUsage.count, modelUsage.plan) && 'facts__value--warning')} data-testid="training-model-usage">
              {modelUsage ? modelUsageText(modelUsage.count, modelUsage.plan) : <Skeleton width="8rem" height="0.9rem" />}
            </dd>
          </div>
        </>
      }
      cost={cost}
      balance={balance}
      after={after}
      short={short}
      afterLabel="After training"
      costPhrase="Training costs"
      refundNote="If the training fails or you cancel it, your credits are refunded."
    >
      {tooFewPhotos ? (
        <Alert tone="warning" title="Not enough photos" role="status">
          <p>
            Training needs at least {minPhotos} photos and you have {photoCount}. <Link to={paths.photos}>Add photos</Link>
          </p>
        </Alert>
      ) : null}

      <Alert tone="info" title="Your photos are deleted after training">
        <p>
          Training uses the photos on your Photos page. They leave that page as soon as the training starts, and are
          deleted for your privacy when it ends. To train another model, upload photos again.
        </p>
      </Alert>

      {children}
    </CostSummary>
  );
}
