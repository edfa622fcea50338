import type { LedgerEntry, Payment, Plan } from '@visiona/shared';
import { formatPlan } from '@/lib/format';

const REASON_LABELS: Record<string, string> = {
  signup: 'Welcome credits',
  training: 'Model training',
  training_refund: 'Training refunded',
  generation: 'Image generation',
  generation_refund: 'Generation refunded',
};

export interface LedgerContext {
  /** Subscription credits name their invoice: its payment says which plan paid for them. */
  payments: readonly Pick<Payment, 'invoiceId' | 'planId'>[];
  plans: readonly Pick<Plan, 'id' | 'name'>[];
}

/** What a credit movement was, for people: "Welcome credits", "Premium credits", "Training refunded"… */
export function ledgerEntryLabel(entry: Pick<LedgerEntry, 'reason' | 'reference'>, context: LedgerContext): string {
  if (entry.reason === 'subscription') {
    const planId = context.payments.find((payment) => payment.invoiceId === entry.reference)?.planId;
    if (!planId) return 'Subscription credits';
    const name = context.plans.find((plan) => plan.id === planId)?.name ?? formatPlan(planId);
    return `${name} credits`;
  }
  const known = REASON_LABELS[entry.reason];
  if (known) return known;
  // A reason added on the server later: its words, as a sentence.
  const words = entry.reason.replace(/[_-]+/g, ' ').trim();
  return words === '' ? 'Credit adjustment' : words.charAt(0).toUpperCase() + words.slice(1);
}

/** "+1,000", "−100" (a real minus sign), "0". */
export function formatCreditDelta(delta: number, locale?: string): string {
  const amount = new Intl.NumberFormat(locale).format(Math.abs(delta));
  if (delta > 0) return `+${amount}`;
  if (delta < 0) return `\u2212${amount}`;
  return amount;
}

/** The same, as a screen reader should say it: "1,000 credits added", "100 credits spent". */
export function describeCreditDelta(delta: number, locale?: string): string {
  const count = new Intl.NumberFormat(locale).format(Math.abs(delta));
  const noun = Math.abs(delta) === 1 ? 'credit' : 'credits';
  if (delta > 0) return `${count} ${noun} added`;
  if (delta < 0) return `${count} ${noun} spent`;
  return `no ${noun}`;
}
