import type { Plan, PlanLimits } from '@visiona/shared';
import { ApiError } from './api-client';
import { formatCount } from './format';

/**
 * What a plan allows, as the pages that enforce it (Generate, Models, Train) word it.
 * The API is the authority: these only keep people from asking for what it would refuse.
 */

/** The plan with this id; an unknown id falls back to the first (free) plan, as the API does. */
export function planById(plans: readonly Plan[], id: string | undefined): Plan | undefined {
  if (id === undefined) return undefined;
  return plans.find((plan) => plan.id === id) ?? plans[0];
}

/** Whether any plan allows more of this than `plan` does: only then is "Upgrade" worth saying. */
export function canRaiseLimit(plans: readonly Plan[], plan: Plan, limit: keyof PlanLimits): boolean {
  return plans.some((other) => other.limits[limit] > plan.limits[limit]);
}

/** "Up to 2 images on Free". */
export function imagesPerGenerationHint(plan: Pick<Plan, 'name' | 'limits'>): string {
  return `Up to ${formatCount(plan.limits.maxImagesPerGeneration, 'image')} on ${plan.name}`;
}

/** "1 of 1 models on Free", "2 of 3 models on Premium". */
export function modelUsageText(count: number, plan: Pick<Plan, 'name' | 'limits'>): string {
  const number = new Intl.NumberFormat();
  // "of 1 models": the count is out of a total of models, so the noun stays plural.
  return `${number.format(count)} of ${number.format(plan.limits.maxModels)} models on ${plan.name}`;
}

/** Models that count against the plan: training or ready (failed and canceled ones do not). */
export function countsAgainstModelLimit(status: string): boolean {
  return status === 'Processing' || status === 'Ready';
}

export function isAtModelLimit(count: number, plan: Pick<Plan, 'limits'>): boolean {
  return count >= plan.limits.maxModels;
}

/** A refusal because of the plan: 403 `plan_limit` or 429 `too_many_running`. Its message says what to do. */
export function isPlanLimitError(error: unknown): error is ApiError {
  if (!(error instanceof ApiError) || error.kind !== 'http') return false;
  return (error.statusCode === 403 && error.code === 'plan_limit') || (error.statusCode === 429 && error.code === 'too_many_running');
}
