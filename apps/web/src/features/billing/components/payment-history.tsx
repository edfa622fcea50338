import type { Payment, Plan } from '@visiona/shared';
import { Badge, Card, CardHeader, EmptyState, Icon, type BadgeTone } from '@/components/ui';
import { formatCredits, formatDate, formatMoney } from '@/lib/format';
import { findPlan } from '../utils/plans';
import { paymentDescription, PAYMENT_STATUS_LABELS } from '../utils/payments';

const STATUS_TONES: Record<Payment['status'], BadgeTone> = { paid: 'success', failed: 'danger', open: 'warning' };

export interface PaymentHistoryProps {
  payments: readonly Payment[];
  plans: readonly Plan[];
}

/** The latest payments: what for, when, how much, whether it went through, and Stripe's invoice. */
export function PaymentHistory({ payments, plans }: PaymentHistoryProps) {
  return (
    <Card aria-labelledby="payments-title" className="billing-list-card">
      <CardHeader id="payments-title" title="Payments" description="Your latest payments and invoices, from Stripe." />
      {payments.length === 0 ? (
        <EmptyState
          level={3}
          icon="billing"
          className="state--compact"
          title="No payments yet"
          description="When you subscribe, each payment and its invoice appear here."
        />
      ) : (
        <ul className="payment-list" aria-labelledby="payments-title" data-testid="payments">
          {payments.map((payment) => {
            const description = paymentDescription(payment, findPlan(plans, payment.planId));
            return (
              <li key={payment.id} className="payment-item" data-testid="payment" data-status={payment.status}>
                <div className="payment-item__main">
                  <p className="payment-item__description">{description}</p>
                  <p className="payment-item__meta">
                    <time dateTime={payment.createdAt}>{formatDate(payment.createdAt)}</time>
                    {payment.creditsGranted > 0 ? <span> · {formatCredits(payment.creditsGranted)} added</span> : null}
                  </p>
                </div>
                <div className="payment-item__side">
                  <p className="payment-item__amount">{formatMoney(payment.amountCents, payment.currency)}</p>
                  <Badge tone={STATUS_TONES[payment.status]}>{PAYMENT_STATUS_LABELS[payment.status]}</Badge>
                </div>
                {payment.invoiceUrl ? (
                  <a className="payment-item__invoice" href={payment.invoiceUrl} target="_blank" rel="noopener noreferrer">
                    <Icon name="external" size={14} />
                    <span>
                      Invoice<span className="sr-only"> for {description}, {formatDate(payment.createdAt)} (opens in a new tab)</span>
                    </span>
                  </a>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
