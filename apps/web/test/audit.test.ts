import { describe, expect, it } from 'vitest';
import { describeAuditEvent, groupAuditEventsByDay } from '@/features/audit/utils/labels';

const describeEvent = (action: string, details: Record<string, unknown> = {}) => describeAuditEvent({ action, details }, 'en-US');

describe('describeAuditEvent', () => {
  it('says what happened to the account and its sessions, under both the current and the older action names', () => {
    expect(describeEvent('account.created', { method: 'password' })).toBe('Account created');
    expect(describeEvent('account.email_changed', { source: 'clerk' })).toBe('Email address changed');
    expect(describeEvent('session.created', { method: 'password', ip: '127.0.0.1' })).toBe('Signed in');
    expect(describeEvent('auth.login')).toBe('Signed in');
    expect(describeEvent('session.failed', { reason: 'wrong_password' })).toBe('Failed sign-in attempt');
    expect(describeEvent('auth.login_failed')).toBe('Failed sign-in attempt');
    expect(describeEvent('session.revoked', { reason: 'logout' })).toBe('Signed out');
    expect(describeEvent('session.revoked', { reason: 'expired' })).toBe('Session ended');
    expect(describeEvent('auth.logout')).toBe('Signed out');
  });

  it('names API tokens by name when created and by prefix when revoked', () => {
    expect(describeEvent('token.created', { name: 'script', prefix: 'vsk_AB12CD34', scopes: ['read'] })).toBe('Created API token “script”');
    expect(describeEvent('token.created', {})).toBe('Created API token');
    expect(describeEvent('token.revoked', { prefix: 'vsk_AB12CD34' })).toBe('Revoked API token vsk_AB12CD34…');
    expect(describeEvent('token.revoked', {})).toBe('Revoked API token');
  });

  it('describes trainings and generations with their counts and refunds', () => {
    expect(describeEvent('training.requested', { photos: 12, credits: 100 })).toBe('Model training requested with 12 photos');
    expect(describeEvent('training.cancel_requested', { modelId: 'm' })).toBe('Asked to cancel a model training');
    expect(describeEvent('training.failed', { refundedCredits: 100 })).toBe('Model training failed — 100 credits refunded');
    expect(describeEvent('training.canceled', {})).toBe('Model training canceled');
    expect(describeEvent('training.photos_deleted', { photos: 1 })).toBe('1 training photo deleted');
    expect(describeEvent('model.deleted', { name: 'Me, v2' })).toBe('Deleted model “Me, v2”');
    expect(describeEvent('generation.requested', { images: 2, credits: 2 })).toBe('Requested 2 images');
    expect(describeEvent('generation.failed', { refundedCredits: 1 })).toBe('Image generation failed — 1 credit refunded');
    expect(describeEvent('generation.failed', { refundedCredits: 0 })).toBe('Image generation failed');
  });

  it('describes plans, credits and payments in words and money', () => {
    expect(describeEvent('billing.plan_changed', { from: 'free', to: 'premium' })).toBe('Plan changed from Free to Premium');
    expect(describeEvent('billing.plan_changed', { to: 'premium' })).toBe('Plan changed to Premium');
    expect(describeEvent('credits.granted', { credits: 1000, plan: 'premium', reason: 'subscription' })).toBe('1,000 credits added (Premium)');
    expect(describeEvent('credits.granted', { credits: 1000, plan: null })).toBe('1,000 credits added');
    expect(describeEvent('billing.payment_succeeded', { amountCents: 1900, currency: 'usd' })).toBe('Payment of $19.00 received');
    expect(describeEvent('billing.payment_failed', { amountCents: 1900, currency: 'usd' })).toBe('Payment of $19.00 failed');
    expect(describeEvent('billing.payment_succeeded', {})).toBe('Payment received');
    expect(describeEvent('billing.checkout_started', { plan: 'premium', sessionId: 'cs_1' })).toBe('Started checkout for Premium');
    expect(describeEvent('billing.portal_opened')).toBe('Opened the billing portal');
    expect(describeEvent('billing.subscription_changed', { plan: 'premium', status: 'active', cancelAtPeriodEnd: false })).toBe(
      'Subscription updated (Premium)',
    );
    expect(describeEvent('billing.subscription_changed', { plan: 'premium', status: 'active', cancelAtPeriodEnd: true })).toBe(
      'Subscription set to cancel at the end of the period (Premium)',
    );
    expect(describeEvent('billing.subscription_changed', { plan: 'premium', status: 'canceled' })).toBe('Subscription canceled (Premium)');
  });

  it('ignores details of the wrong type rather than printing them', () => {
    expect(describeEvent('credits.granted', { credits: '1000', plan: 42 })).toBe('Credits added');
    expect(describeEvent('token.created', { name: { toString: 'x' } })).toBe('Created API token');
    expect(describeEvent('billing.payment_succeeded', { amountCents: Number.NaN, currency: 'usd' })).toBe('Payment received');
  });

  it('falls back to the raw action name for an action it does not know', () => {
    expect(describeEvent('photos.exported', { count: 3 })).toBe('photos.exported');
    // Not fooled by names inherited from Object.prototype.
    expect(describeEvent('toString')).toBe('toString');
  });
});

describe('groupAuditEventsByDay', () => {
  it('keeps the order and starts a new group whenever the local day changes', () => {
    const at = (y: number, m: number, d: number, h: number) => ({ createdAt: new Date(y, m - 1, d, h).toISOString() });
    const events = [at(2026, 11, 25, 18), at(2026, 11, 25, 9), at(2026, 11, 24, 23), at(2026, 10, 1, 8)];
    const days = groupAuditEventsByDay(events, 'en-US');
    expect(days.map((d) => d.day)).toEqual(['November 25, 2026', 'November 24, 2026', 'October 1, 2026']);
    expect(days.map((d) => d.events.length)).toEqual([2, 1, 1]);
    expect(days[0]!.events[0]).toBe(events[0]);
    expect(groupAuditEventsByDay([])).toEqual([]);
  });
});
