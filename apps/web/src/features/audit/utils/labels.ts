import type { AuditEvent } from '@visiona/shared';
import { formatCount, formatCredits, formatLongDate, formatMoney, formatPlan } from '@/lib/format';

type Details = AuditEvent['details'];

// `details` is whatever the API recorded at the time: read each fact defensively, and leave it out when absent.
function text(details: Details, key: string): string | null {
  const value = details[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function count(details: Details, key: string): number | null {
  const value = details[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function planOf(details: Details, key: string): string | null {
  const plan = text(details, key);
  return plan ? formatPlan(plan) : null;
}

function refundSuffix(details: Details, locale?: string): string {
  const refunded = count(details, 'refundedCredits');
  return refunded ? ` — ${formatCredits(refunded, locale)} refunded` : '';
}

function quoted(name: string | null): string {
  return name ? ` “${name}”` : '';
}

function money(details: Details, locale?: string): string | null {
  const amount = count(details, 'amountCents');
  const currency = text(details, 'currency');
  return amount !== null && currency ? formatMoney(amount, currency, { locale }) : null;
}

function describeSubscription(details: Details): string {
  const plan = planOf(details, 'plan');
  const suffix = plan ? ` (${plan})` : '';
  const status = text(details, 'status');
  if (status === 'canceled') return `Subscription canceled${suffix}`;
  if (details.cancelAtPeriodEnd === true) return `Subscription set to cancel at the end of the period${suffix}`;
  if (status === 'past_due' || status === 'unpaid') return `Subscription past due${suffix}`;
  return `Subscription updated${suffix}`;
}

type Describe = (details: Details, locale?: string) => string;

/**
 * One sentence per action. The API records sign-ins as `session.*`; the `auth.*` names
 * are described the same way, so either spelling reads as words.
 */
const DESCRIPTIONS = new Map<string, Describe>(
  Object.entries({
    'account.created': () => 'Account created',
    'account.email_changed': () => 'Email address changed',
    'account.exported': () => 'Exported your data',
    'auth.login': () => 'Signed in',
    'session.created': () => 'Signed in',
    'auth.login_failed': () => 'Failed sign-in attempt',
    'session.failed': () => 'Failed sign-in attempt',
    'auth.logout': () => 'Signed out',
    'session.revoked': (d) => (text(d, 'reason') === 'logout' ? 'Signed out' : 'Session ended'),
    'token.created': (d) => `Created API token${quoted(text(d, 'name'))}`,
    'token.revoked': (d) => {
      const prefix = text(d, 'prefix');
      return `Revoked API token${prefix ? ` ${prefix}…` : ''}`;
    },
    'training.requested': (d, locale) => {
      const photos = count(d, 'photos');
      return `Model training requested${photos !== null ? ` with ${formatCount(photos, 'photo', undefined, locale)}` : ''}`;
    },
    'training.started': () => 'Model training started',
    'training.ready': () => 'Model training finished',
    'training.failed': (d, locale) => `Model training failed${refundSuffix(d, locale)}`,
    'training.canceled': (d, locale) => `Model training canceled${refundSuffix(d, locale)}`,
    'training.cancel_requested': () => 'Asked to cancel a model training',
    'training.photos_deleted': (d, locale) => {
      const photos = count(d, 'photos');
      return photos !== null ? `${formatCount(photos, 'training photo', undefined, locale)} deleted` : 'Training photos deleted';
    },
    'model.deleted': (d) => `Deleted model${quoted(text(d, 'name'))}`,
    'generation.requested': (d, locale) => {
      const images = count(d, 'images');
      return images !== null ? `Requested ${formatCount(images, 'image', undefined, locale)}` : 'Requested images';
    },
    'generation.succeeded': (d, locale) => {
      const images = count(d, 'images');
      return images !== null ? `Generated ${formatCount(images, 'image', undefined, locale)}` : 'Images generated';
    },
    'generation.failed': (d, locale) => `Image generation failed${refundSuffix(d, locale)}`,
    'generation.canceled': (d, locale) => `Image generation canceled${refundSuffix(d, locale)}`,
    'generation.deleted': (d, locale) => {
      const images = count(d, 'images');
      return images !== null ? `Deleted ${formatCount(images, 'image', undefined, locale)}` : 'Deleted a generation';
    },
    'billing.checkout_started': (d) => {
      const plan = planOf(d, 'plan');
      return plan ? `Started checkout for ${plan}` : 'Started checkout';
    },
    'billing.portal_opened': () => 'Opened the billing portal',
    'billing.subscription_changed': (d) => describeSubscription(d),
    'billing.plan_changed': (d) => {
      const from = planOf(d, 'from');
      const to = planOf(d, 'to');
      if (from && to) return `Plan changed from ${from} to ${to}`;
      return to ? `Plan changed to ${to}` : 'Plan changed';
    },
    'credits.granted': (d, locale) => {
      const credits = count(d, 'credits');
      const plan = planOf(d, 'plan');
      return `${credits !== null ? formatCredits(credits, locale) : 'Credits'} added${plan ? ` (${plan})` : ''}`;
    },
    'billing.payment_succeeded': (d, locale) => {
      const amount = money(d, locale);
      return amount ? `Payment of ${amount} received` : 'Payment received';
    },
    'billing.payment_failed': (d, locale) => {
      const amount = money(d, locale);
      return amount ? `Payment of ${amount} failed` : 'Payment failed';
    },
    'storage.swept': (d, locale) => {
      const objects = count(d, 'objects');
      return objects !== null ? `${formatCount(objects, 'old upload', undefined, locale)} cleaned up` : 'Old uploads cleaned up';
    },
  } satisfies Record<string, Describe>),
);

/** "Signed in", "Created API token “script”", "Payment of $19.00 received"; an unknown action as its raw name. */
export function describeAuditEvent(event: Pick<AuditEvent, 'action' | 'details'>, locale?: string): string {
  // A Map, so an action such as `toString` is not found on Object.prototype.
  const describe = DESCRIPTIONS.get(event.action);
  return describe ? describe(event.details, locale) : event.action;
}

export interface AuditDay<T extends Pick<AuditEvent, 'createdAt'>> {
  /** "November 25, 2026" in the reader's time zone: the day's heading. */
  day: string;
  events: T[];
}

/** Consecutive events of the same local day, in the order given (newest first from the API). */
export function groupAuditEventsByDay<T extends Pick<AuditEvent, 'createdAt'>>(events: readonly T[], locale?: string): AuditDay<T>[] {
  const days: AuditDay<T>[] = [];
  for (const event of events) {
    const day = formatLongDate(event.createdAt, locale);
    const last = days.at(-1);
    if (last && last.day === day) last.events.push(event);
    else days.push({ day, events: [event] });
  }
  return days;
}
