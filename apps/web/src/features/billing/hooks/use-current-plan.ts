import type { Plan, PlanLimits } from '@visiona/shared';
import { canRaiseLimit, planById } from '@/lib/plan-limits';
import { usePlans } from '../api/get-plans';

export interface CurrentPlan {
  /** Undefined until both the plan id (from /me) and the plans are known. */
  plan: Plan | undefined;
  /** Whether some plan allows more of this limit (only then is "Upgrade" offered). */
  canRaise: (limit: keyof PlanLimits) => boolean;
}

/** The person's plan and what it allows, from its id (`/me`'s `plan`) and the public plan list. */
export function useCurrentPlan(planId: string | undefined): CurrentPlan {
  const plans = usePlans();
  const list = plans.data?.plans ?? [];
  const plan = planById(list, planId);
  return { plan, canRaise: (limit) => (plan ? canRaiseLimit(list, plan, limit) : false) };
}
