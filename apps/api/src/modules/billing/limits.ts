import type { PlanConfig } from '../../config.ts';
import type { Queryable } from '../../db/index.ts';
import { AppError } from '../../lib/errors.ts';
import type { PlanCatalog } from './plans.ts';

/** A plan's limit was reached: 403 (or 429 for running generations, which end by themselves), with what to do about it. */
export class PlanLimitReached extends AppError {
  constructor(message: string, headers?: Record<string, string>) {
    super(headers ? 429 : 403, headers ? 'too_many_running' : 'plan_limit', message, headers ? { headers } : {});
  }
}

/**
 * The caller's plan, read inside their transaction after taking a per-user lock,
 * so that two racing requests cannot both pass a count-based limit.
 */
export async function lockUsage(tx: Queryable, plans: PlanCatalog): Promise<PlanConfig> {
  await tx.query("select pg_advisory_xact_lock(hashtextextended('usage:' || (select auth.jwt() ->> 'sub'), 0))");
  return currentPlan(tx, plans);
}

/** The caller's plan (as the user, RLS bound). */
export async function currentPlan(tx: Queryable, plans: PlanCatalog): Promise<PlanConfig> {
  const { rows } = await tx.query<{ plan: string }>("select plan from users where auth_subject = (select auth.jwt() ->> 'sub')");
  return plans.byId(rows[0]?.plan ?? plans.free.id);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
type Limit = keyof PlanConfig['limits'];
/** Suggests an upgrade only when some plan allows more of this. */
const upgrade = (plan: PlanConfig, plans: PlanCatalog, limit: Limit) =>
  plans.all.some((p) => p.limits[limit] > plan.limits[limit]) ? ', or upgrade on the Billing page' : '';

export async function checkModelLimit(tx: Queryable, plan: PlanConfig, plans: PlanCatalog): Promise<void> {
  const { rows } = await tx.query<{ n: number }>("select count(*)::int as n from models where status in ('Processing', 'Ready')");
  const n = rows[0]?.n ?? 0;
  if (n >= plan.limits.maxModels) {
    throw new PlanLimitReached(
      `Your ${plan.name} plan allows ${plural(plan.limits.maxModels, 'model')} at a time, and you have ${n}. Delete a model on the Models page${upgrade(plan, plans, 'maxModels')}.`,
    );
  }
}

export async function checkRunningGenerations(tx: Queryable, plan: PlanConfig, plans: PlanCatalog): Promise<void> {
  const { rows } = await tx.query<{ n: number }>("select count(*)::int as n from generations where status = 'Processing'");
  const n = rows[0]?.n ?? 0;
  if (n >= plan.limits.maxConcurrentGenerations) {
    throw new PlanLimitReached(
      `Your ${plan.name} plan runs ${plural(plan.limits.maxConcurrentGenerations, 'generation')} at once, and ${plural(n, 'is', 'are')} running. Wait for one to finish${upgrade(plan, plans, 'maxConcurrentGenerations')}.`,
      { 'retry-after': '5' },
    );
  }
}

export function checkImagesPerGeneration(images: number, plan: PlanConfig, plans: PlanCatalog): void {
  if (images > plan.limits.maxImagesPerGeneration) {
    throw new PlanLimitReached(
      `Your ${plan.name} plan makes up to ${plural(plan.limits.maxImagesPerGeneration, 'image')} per generation; you asked for ${images}. Ask for fewer${upgrade(plan, plans, 'maxImagesPerGeneration')}.`,
    );
  }
}
