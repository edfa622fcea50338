import type { MouseEvent } from 'react';
import { Link } from 'react-router';
import type { Plan } from '@visiona/shared';
import { Alert, Icon, cx } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatCount } from '@/lib/format';
import { isAtModelLimit, modelUsageText } from '@/lib/plan-limits';

/** The id of the Models page's list, which "Delete a model below" moves to. */
export const MODEL_LIST_ID = 'your-models';

export interface ModelLimitProps {
  /** Models that count against the plan (training or ready). */
  count: number;
  plan: Pick<Plan, 'name' | 'limits'>;
}

/** "1 of 1 models on Free". */
export function ModelUsage({ count, plan }: ModelLimitProps) {
  const full = isAtModelLimit(count, plan);
  return (
    <p className={cx('model-usage', full && 'model-usage--full')} data-testid="model-usage">
      <Icon name="models" size={16} />
      <span>{modelUsageText(count, plan)}</span>
    </p>
  );
}

export interface ModelLimitNoticeProps extends ModelLimitProps {
  id: string;
  /** Some plan allows more models. */
  canUpgrade: boolean;
  /** The models are listed on this page (the Models page) rather than elsewhere (the Train page). */
  listedHere: boolean;
}

function focusModelList(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  const list = document.getElementById(MODEL_LIST_ID);
  list?.scrollIntoView({ block: 'start' });
  list?.focus({ preventScroll: true });
}

/** At the plan's model limit: why a new training cannot start, and the two ways out. */
export function ModelLimitNotice({ id, count, plan, canUpgrade, listedHere }: ModelLimitNoticeProps) {
  if (!isAtModelLimit(count, plan)) return null;
  return (
    <Alert tone="warning" title="You have reached your plan’s model limit" data-testid="model-limit">
      <p id={id}>
        Your {plan.name} plan allows {formatCount(plan.limits.maxModels, 'model')} at a time, and you have {count}. To train a new
        one, delete a model{canUpgrade ? ' or upgrade to a plan with room for more' : ''}. Failed and canceled trainings do not
        count.
      </p>
      <p className="model-limit__links">
        {listedHere ? (
          <a href={`#${MODEL_LIST_ID}`} onClick={focusModelList}>
            Delete a model below
          </a>
        ) : (
          <Link to={paths.models}>Delete a model on the Models page</Link>
        )}
        {canUpgrade ? <Link to={paths.billing}>Upgrade on the Billing page</Link> : null}
      </p>
    </Alert>
  );
}
