import type { Payment, Plan } from '@visiona/shared';

export const PAYMENT_STATUS_LABELS: Record<Payment['status'], string> = { paid: 'Paid', failed: 'Failed', open: 'Due' };

/** What a payment was for: Stripe's description ("Premium plan renewal"), else the plan's name. */
export function paymentDescription(payment: Pick<Payment, 'description' | 'planId'>, plan: Pick<Plan, 'name'> | undefined): string {
  const text = payment.description?.trim();
  if (text) return text;
  if (plan) return `${plan.name} plan`;
  return 'Payment';
}
