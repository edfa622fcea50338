import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert, Card, CardHeader, Icon, Skeleton } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount, formatCredits } from '@/lib/format';
import { checkCost } from '../utils/train-form';

export interface TrainingSummaryProps {
  cost: number;
  /** Undefined while /me loads. */
  balance: number | undefined;
  /** Undefined while the photo list loads. */
  photoCount: number | undefined;
  minPhotos: number;
  /** The form's error and submit button. */
  children: ReactNode;
}

/** What the training uses and costs, what is missing, and the button that starts it. */
export function TrainingSummary({ cost, balance, photoCount, minPhotos, children }: TrainingSummaryProps) {
  const { short, after } = checkCost(cost, balance);
  const tooFewPhotos = photoCount !== undefined && photoCount < minPhotos;
  const loading = <Skeleton width="5rem" height="0.9rem" />;

  return (
    <Card aria-labelledby="training-summary-title" className="training-summary">
      <CardHeader id="training-summary-title" title="Summary" />
      <dl className="facts" data-testid="training-cost">
        <div className="facts__row">
          <dt>Photos</dt>
          <dd>
            {photoCount === undefined ? loading : formatCount(photoCount, 'photo')}{' '}
            <Link to={paths.photos} className="facts__link">
              Review<span className="sr-only"> your photos</span>
            </Link>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Cost</dt>
          <dd>
            <strong>{formatCredits(cost)}</strong>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Your balance</dt>
          <dd data-testid="training-balance">{balance === undefined ? loading : formatCredits(balance)}</dd>
        </div>
        {after !== null && !short ? (
          <div className="facts__row">
            <dt>After training</dt>
            <dd>{formatCredits(after)}</dd>
          </div>
        ) : null}
      </dl>

      {short ? (
        <Alert tone="warning" title="Not enough credits" role="status">
          <p>
            Training costs {formatCredits(cost)} and you have {formatCredits(balance ?? 0)}.{' '}
            <Link to={paths.billing}>Get more credits</Link>
          </p>
        </Alert>
      ) : null}
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

      <p className="training-summary__refund">
        <Icon name="coins" size={16} />
        <span>If the training fails or you cancel it, your credits are refunded.</span>
      </p>
    </Card>
  );
}
