import type { FastifyInstance, FastifyReply } from 'fastify';
import { NO_ORIGIN } from './billing.ts';
import { idParam, type StripeContext } from './context.ts';
import { StripeApiError } from './errors.ts';
import { esc, hostOf, messagePage, sendPage } from './html.ts';
import { formatAmount, formatDate, formatDateTime, formatPrice } from './money.ts';
import type { WireSubscription, WireSubscriptionItem } from './objects.ts';
import type { CheckoutRecord, PortalRecord } from './store.ts';
import { isRecord } from './util.ts';

const DECLINED = 'Your card was declined.';

function field(body: unknown, name: string): string | undefined {
  const v = isRecord(body) ? body[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function successUrl(rec: CheckoutRecord): string {
  return (rec.session.success_url ?? '').replace(/\{CHECKOUT_SESSION_ID\}/g, rec.session.id);
}

const NOTICES: Record<string, string> = {
  canceled: 'Your subscription will end at the close of the current period.',
  renewed: 'Your subscription will renew.',
  switched: 'Your plan has changed.',
};

const STATUS_LABELS: Record<string, { label: string; tone: string }> = {
  active: { label: 'Active', tone: '' },
  past_due: { label: 'Past due', tone: 'warn' },
  unpaid: { label: 'Unpaid', tone: 'warn' },
  canceled: { label: 'Canceled', tone: 'off' },
};

/** Stripe-hosted Checkout (`/c/pay/:id`), Customer Portal (`/p/session/:id`) and invoice (`/i/:id`) pages. */
export function registerPages(app: FastifyInstance, ctx: StripeContext): void {
  const { store, billing } = ctx;

  // ------------------------------------------------------------------ checkout
  const checkoutPage = (reply: FastifyReply, rec: CheckoutRecord, status = 200, error?: string): FastifyReply => {
    const s = rec.session;
    const li = rec.lineItems[0];
    const productName = li?.description ?? 'Subscription';
    if (s.status === 'complete') {
      return sendPage(reply, 200, 'Payment complete', messagePage('Payment complete', `Thanks! Your subscription to ${productName} is active.`, { href: successUrl(rec), label: 'Continue' }));
    }
    if (s.status === 'expired') {
      const back = s.cancel_url ? { href: s.cancel_url, label: `Return to ${hostOf(s.cancel_url)}` } : undefined;
      return sendPage(reply, 410, 'Checkout expired', messagePage('This checkout session has expired', 'Nothing was charged. Start again from the site you came from.', back));
    }
    const email = billing.checkoutEmail(rec);
    const priceLine = li ? formatPrice(li.price, li.quantity ?? 1) : '';
    const body = `<div class="card">
<p class="eyebrow">Subscribe to</p>
<h1>${esc(productName)}</h1>
<p class="price">${esc(priceLine)}</p>
<dl>
${email ? `<dt>Email</dt><dd>${esc(email)}</dd>` : ''}
${li && (li.quantity ?? 1) > 1 ? `<dt>Quantity</dt><dd>${esc(li.quantity ?? 1)}</dd>` : ''}
<dt>Total due today</dt><dd><strong>${esc(formatAmount(s.amount_total ?? 0, s.currency ?? 'usd'))}</strong></dd>
</dl>
${error ? `<p class="alert" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/c/pay/${esc(s.id)}/confirm" class="stack">
${email ? '' : '<div><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required></div>'}
<button type="submit" class="primary" name="card" value="success">Pay</button>
<button type="submit" class="secondary" name="card" value="declined" formnovalidate>Pay with a declined card</button>
</form>
${s.cancel_url ? `<p class="link-row"><a href="${esc(s.cancel_url)}">Cancel</a></p>` : ''}
</div>
<p class="muted small">This checkout session expires ${esc(formatDateTime(s.expires_at))}.</p>`;
    return sendPage(reply, status, `Subscribe to ${productName}`, body);
  };

  const notFoundPage = (reply: FastifyReply, what: string): FastifyReply => sendPage(reply, 404, 'Not found', messagePage(`${what} not found`, 'Check the link, or start again from the site you came from.'));

  app.get('/c/pay/:id', async (req, reply) => {
    const rec = store.checkouts.get(idParam(req));
    if (!rec) return notFoundPage(reply, 'Checkout session');
    return checkoutPage(reply, billing.refreshCheckout(rec));
  });

  app.post('/c/pay/:id/confirm', async (req, reply) => {
    const rec = store.checkouts.get(idParam(req));
    if (!rec) return notFoundPage(reply, 'Checkout session');
    billing.refreshCheckout(rec);
    // A second submit of a paid session lands where the first one went.
    if (rec.session.status === 'complete') return reply.redirect(successUrl(rec), 303);
    if (rec.session.status !== 'open') return checkoutPage(reply, rec);
    if (field(req.body, 'card') === 'declined') return checkoutPage(reply, rec, 402, DECLINED);
    try {
      billing.pay(rec.session.id, { email: field(req.body, 'email')?.trim() || undefined });
    } catch (err) {
      if (err instanceof StripeApiError && err.param === 'email') return checkoutPage(reply, rec, 400, 'Enter a valid email address.');
      throw err;
    }
    return reply.redirect(successUrl(rec), 303);
  });

  // ------------------------------------------------------------------ customer portal
  /** The portal session if it can be used; otherwise answers with the not-found or expired page. */
  const usablePortal = (reply: FastifyReply, id: string): PortalRecord | undefined => {
    const rec = store.portals.get(id);
    if (!rec) {
      notFoundPage(reply, 'Billing portal session');
      return undefined;
    }
    if (!billing.visitPortal(rec).valid) {
      const back = rec.session.return_url ? { href: rec.session.return_url, label: `Return to ${hostOf(rec.session.return_url)}` } : undefined;
      sendPage(reply, 410, 'Session expired', messagePage('This billing portal session has expired', 'Open the billing portal again from the site you came from.', back));
      return undefined;
    }
    return rec;
  };

  const subscriptionSection = (rec: PortalRecord, sub: WireSubscription): string => {
    const item = sub.items.data[0] as WireSubscriptionItem;
    const product = store.products.get(item.price.product);
    const name = product?.name ?? item.price.product;
    const status = STATUS_LABELS[sub.status] ?? { label: sub.status, tone: 'warn' };
    const base = `/p/session/${esc(rec.session.id)}/subscriptions/${esc(sub.id)}`;
    const headingId = `sub-${esc(sub.id)}`;
    const actions: string[] = [];
    if (sub.cancel_at_period_end) {
      actions.push(`<form method="post" action="${base}/renew"><button type="submit" class="primary">Renew subscription</button></form>`);
    } else {
      if (sub.status === 'active') {
        for (const price of store.prices.values()) {
          if (price.id === item.price.id || !price.active || price.currency !== sub.currency) continue;
          const other = store.products.get(price.product)?.name ?? price.product;
          const sameName = [...store.prices.values()].filter((p) => p.active && store.products.get(p.product)?.name === other).length > 1;
          const label = sameName ? `Switch to ${other} (${formatPrice(price)})` : `Switch to ${other}`;
          const descId = `price-${esc(sub.id)}-${esc(price.id)}`;
          actions.push(`<form method="post" action="${base}/switch"><input type="hidden" name="price" value="${esc(price.id)}"><button type="submit" class="secondary" aria-describedby="${descId}">${esc(label)}</button><p class="muted small" id="${descId}">${esc(formatPrice(price))}, billed now; the new period starts today.</p></form>`);
        }
      }
      actions.push(`<form method="post" action="${base}/cancel"><button type="submit" class="danger">Cancel subscription</button></form>`);
    }
    const when = sub.cancel_at_period_end ? `Cancels on ${formatDate(sub.cancel_at ?? item.current_period_end)}` : sub.status === 'past_due' ? 'The last payment failed.' : `Renews on ${formatDate(item.current_period_end)}`;
    return `<section class="sub" aria-labelledby="${headingId}">
<h2 id="${headingId}">${esc(name)}</h2>
<p>${esc(formatPrice(item.price, item.quantity ?? 1))} <span class="${status.tone ? `badge ${status.tone}` : 'badge'}">${esc(status.label)}</span></p>
<p>${esc(when)}</p>
<div class="stack">${actions.join('\n')}</div>
</section>`;
  };

  const portalPage = (reply: FastifyReply, rec: PortalRecord, opts: { notice?: string; error?: string; status?: number } = {}): FastifyReply => {
    const customer = store.customers.get(rec.session.customer);
    const subs = [...store.subscriptions.values()].map((r) => r.sub).filter((s) => s.customer === rec.session.customer && s.status !== 'canceled' && s.status !== 'incomplete_expired');
    const { expiresAt } = billing.portalStatus(rec);
    const ret = rec.session.return_url;
    const body = `<div class="card">
<p class="eyebrow">Billing for</p>
<h1>${esc(customer?.email ?? customer?.name ?? rec.session.customer)}</h1>
<p class="muted small">This session is valid until ${esc(formatDateTime(expiresAt))}.</p>
${opts.notice ? `<p class="notice" role="status">${esc(opts.notice)}</p>` : ''}
${opts.error ? `<p class="alert" role="alert">${esc(opts.error)}</p>` : ''}
${subs.length > 0 ? subs.map((s) => subscriptionSection(rec, s)).join('\n') : '<p>You have no active subscription.</p>'}
${ret ? `<p class="link-row"><a href="${esc(ret)}">Return to ${esc(hostOf(ret))}</a></p>` : ''}
</div>`;
    return sendPage(reply, opts.status ?? 200, 'Manage your subscription', body);
  };

  app.get('/p/session/:id', async (req, reply) => {
    const rec = usablePortal(reply, idParam(req));
    if (!rec) return reply;
    const done = (req.query as Record<string, unknown>)['done'];
    return portalPage(reply, rec, { notice: typeof done === 'string' ? NOTICES[done] : undefined });
  });

  app.post('/p/session/:id/subscriptions/:sub/:action', async (req, reply) => {
    const rec = usablePortal(reply, idParam(req));
    if (!rec) return reply;
    const sub = store.subscriptions.get(idParam(req, 'sub'))?.sub;
    const action = idParam(req, 'action');
    if (!sub || sub.customer !== rec.session.customer) return notFoundPage(reply, 'Subscription');
    try {
      if (action === 'cancel') billing.updateSubscription(sub.id, { cancelAtPeriodEnd: true }, NO_ORIGIN);
      else if (action === 'renew') billing.updateSubscription(sub.id, { cancelAtPeriodEnd: false }, NO_ORIGIN);
      else if (action === 'switch') {
        const price = field(req.body, 'price') ?? '';
        const item = sub.items.data[0] as WireSubscriptionItem;
        billing.updateSubscription(sub.id, { price: { itemId: item.id, priceId: price, param: 'price' }, invoiceNow: true }, NO_ORIGIN);
      } else return notFoundPage(reply, 'Action');
    } catch (err) {
      if (err instanceof StripeApiError) return portalPage(reply, rec, { error: err.message, status: 400 });
      throw err;
    }
    const done = action === 'cancel' ? 'canceled' : action === 'renew' ? 'renewed' : 'switched';
    return reply.redirect(`/p/session/${rec.session.id}?done=${done}`, 303);
  });

  // ------------------------------------------------------------------ hosted invoice
  app.get('/i/:id', async (req, reply) => {
    const inv = store.invoices.get(idParam(req));
    if (!inv || inv.status === 'draft') return notFoundPage(reply, 'Invoice');
    const line = inv.lines.data[0];
    const paidAt = inv.status_transitions.paid_at;
    const body = `<div class="card">
<p class="eyebrow">Invoice ${esc(inv.number ?? inv.id)}</p>
<h1>${esc(formatAmount(inv.status === 'paid' ? inv.amount_paid : inv.amount_due, inv.currency))} ${inv.status === 'paid' ? 'paid' : 'due'}</h1>
<p>${inv.status === 'paid' && paidAt ? `Paid on ${esc(formatDate(paidAt))}` : `<span class="badge warn">${esc(inv.status === 'open' ? 'Payment failed' : (inv.status ?? ''))}</span>`}</p>
<dl>
<dt>Billed to</dt><dd>${esc(inv.customer_email ?? inv.customer)}</dd>
${line ? `<dt>${esc(line.description ?? 'Subscription')}</dt><dd>${esc(formatAmount(line.amount, line.currency))}</dd><dt>Service period</dt><dd>${esc(formatDate(line.period.start))} – ${esc(formatDate(line.period.end))}</dd>` : ''}
<dt>Total</dt><dd><strong>${esc(formatAmount(inv.total, inv.currency))}</strong></dd>
</dl>
</div>`;
    return sendPage(reply, 200, `Invoice ${inv.number ?? inv.id}`, body);
  });
}
