import type { PhotoList, UploadLimits } from '@visiona/shared';
import { Alert, ButtonLink, Card, Icon, ProgressBar, Skeleton, SkeletonText } from '@/components/ui';
import { paths } from '@/config/paths';
import { countPhotosWithWarnings } from '../utils/photo-warnings';
import { summarizePhotos } from '../utils/photo-summary';

export interface PhotosSummaryProps {
  list: PhotoList;
  limits: UploadLimits;
  minPhotos: number;
}

/** How far the training set is: count, storage, what is still needed, and the way on to training. */
export function PhotosSummarySkeleton() {
  return (
    <Card aria-labelledby="photos-summary-title" aria-busy="true" className="photos-summary">
      <h2 className="card__title" id="photos-summary-title">
        Your training set
      </h2>
      <Skeleton width="8rem" height="2.25rem" />
      <SkeletonText lines={3} />
    </Card>
  );
}

export function PhotosSummary({ list, limits, minPhotos }: PhotosSummaryProps) {
  const summary = summarizePhotos(list, limits, minPhotos);
  const warned = countPhotosWithWarnings(list.items);
  const toMinimum = Math.min(100, (list.count / Math.max(1, minPhotos)) * 100);

  return (
    <Card aria-labelledby="photos-summary-title" className="photos-summary">
      <h2 className="card__title" id="photos-summary-title">
        Your training set
      </h2>
      <div className="photos-summary__figure">
        <span className="photos-summary__count">{list.count}</span>
        <span className="photos-summary__of">{list.count === 1 ? 'photo' : 'photos'}</span>
      </div>
      <ProgressBar
        value={toMinimum}
        tone={summary.readyToTrain ? 'success' : 'accent'}
        label="Photos towards the minimum for training"
        valueText={`${list.count} of at least ${minPhotos} photos`}
      />
      <p className="photos-summary__line" data-testid="photos-summary">
        {summary.line}
      </p>

      {summary.readyToTrain ? (
        <div className="stack stack--sm">
          <Alert tone="success" title="Ready to train">
            <p>You have enough photos. More variety (angles, expressions, light) makes a better model.</p>
          </Alert>
          <ButtonLink to={paths.trainModel} size="lg" block icon={<Icon name="models" size={18} />}>
            Train your model
          </ButtonLink>
        </div>
      ) : (
        <p className="photos-summary__next">
          <Icon name="info" size={16} />
          <span>
            Add {summary.missing} more {summary.missing === 1 ? 'photo' : 'photos'} to start training.
          </span>
        </p>
      )}

      {warned > 0 ? (
        <Alert tone="warning">
          <p>
            {warned} {warned === 1 ? 'photo has a warning' : 'photos have warnings'}. Replacing them with clearer ones
            gives a better likeness.
          </p>
        </Alert>
      ) : null}

      <dl className="facts photos-summary__facts">
        <div className="facts__row">
          <dt>Storage</dt>
          <dd>{summary.storageText}</dd>
        </div>
        <div className="facts__row">
          <dt>Room for</dt>
          <dd>
            {summary.remainingSlots} more {summary.remainingSlots === 1 ? 'photo' : 'photos'}
          </dd>
        </div>
      </dl>
    </Card>
  );
}
