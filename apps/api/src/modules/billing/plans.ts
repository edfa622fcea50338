import type { Plan, PlanList } from '@visiona/shared';
import type { Config, PlanConfig } from '../../config.ts';
import type { PriceSnapshot, StripeGateway } from '../../integrations/stripe.ts';
import type { Clock } from '../../lib/clock.ts';

const PRICE_TTL_MS = 10 * 60_000;
const PRICE_RETRY_MS = 30_000;
const DISPLAY_WAIT_MS = 2000;

/**
 * The plans from configuration, with their prices read from Stripe (the one
 * source of truth for amounts), cached for ten minutes; a plan shows no price
 * while Stripe cannot be reached rather than failing the page.
 */
export function createPlanCatalog(deps: { config: Config; stripe: StripeGateway; clock: Clock }) {
  const plans = deps.config.billing.plans;
  const free = plans[0]!;
  const prices = new Map<string, { value: PriceSnapshot | null; until: number; pending?: Promise<PriceSnapshot | null> }>();

  async function price(priceId: string): Promise<PriceSnapshot | null> {
    const now = deps.clock.now().getTime();
    const cached = prices.get(priceId);
    if (cached && cached.until > now) return cached.value;
    if (cached?.pending) return cached.pending;
    const pending = deps.stripe.retrievePrice(priceId).then(
      (value) => {
        prices.set(priceId, { value, until: deps.clock.now().getTime() + PRICE_TTL_MS });
        return value;
      },
      () => {
        prices.set(priceId, { value: cached?.value ?? null, until: deps.clock.now().getTime() + PRICE_RETRY_MS });
        return cached?.value ?? null;
      },
    );
    prices.set(priceId, { value: cached?.value ?? null, until: 0, pending });
    return pending;
  }

  /** For display: a slow Stripe does not hold the page; the lookup goes on and fills the cache. */
  async function displayPrice(priceId: string): Promise<PriceSnapshot | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<PriceSnapshot | null>((resolve) => {
      timer = setTimeout(() => resolve(prices.get(priceId)?.value ?? null), DISPLAY_WAIT_MS);
    });
    try {
      return await Promise.race([price(priceId), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function view(plan: PlanConfig): Promise<Plan> {
    const p = plan.priceId ? await displayPrice(plan.priceId) : null;
    return {
      id: plan.id,
      name: plan.name,
      description: plan.description,
      paid: plan.priceId !== null,
      price: p ? { amountCents: p.amountCents, currency: p.currency, interval: p.interval } : null,
      monthlyCredits: plan.monthlyCredits,
      limits: { ...plan.limits },
    };
  }

  return {
    all: plans,
    free,
    /** The plan with this id; an unknown id (a plan removed from configuration) falls back to free. */
    byId: (id: string): PlanConfig => plans.find((p) => p.id === id) ?? free,
    paidById: (id: string): PlanConfig | undefined => plans.find((p) => p.id === id && p.priceId !== null),
    byPrice: (priceId: string | null): PlanConfig | undefined => (priceId ? plans.find((p) => p.priceId === priceId) : undefined),
    price,
    view,
    async list(): Promise<PlanList> {
      return {
        plans: await Promise.all(plans.map(view)),
        signupCredits: deps.config.credits.signupGrant,
        costs: { trainingCredits: deps.config.training.costCredits, creditsPerImage: deps.config.generation.creditsPerImage },
      };
    },
    paidPlanIds: plans.filter((p) => p.priceId !== null).map((p) => p.id),
  };
}

export type PlanCatalog = ReturnType<typeof createPlanCatalog>;
