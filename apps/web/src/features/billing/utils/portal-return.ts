/**
 * Changes made in Stripe's portal (cancel, renew, switch plan) reach Visiona by webhook, usually a
 * moment after the person is sent back. So the Billing page remembers that it opened the portal and,
 * when opened again soon after, reads the account a few more times until the change has landed.
 */
const STORAGE_KEY = 'visiona.billing.portalOpenedAt';
/** A visit older than this is not a return from the portal any more. */
export const PORTAL_RETURN_WINDOW_MS = 60 * 60_000;
/** How long the page keeps reading the account after coming back… */
export const PORTAL_SYNC_MS = 30_000;
/** …and how often. */
export const PORTAL_SYNC_POLL_MS = 2000;

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

function sessionStore(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage blocked (privacy settings): the page then just reads the account once.
    return null;
  }
}

export function rememberPortalVisit(storage: Storage | null = sessionStore(), now = Date.now()): void {
  try {
    storage?.setItem(STORAGE_KEY, String(now));
  } catch {
    // Full or blocked: nothing to remember it in.
  }
}

/** Until when to keep reading the account (0: not just back from the portal). */
export function portalSyncDeadline(storage: Storage | null = sessionStore(), now = Date.now()): number {
  let opened: number;
  try {
    opened = Number(storage?.getItem(STORAGE_KEY) ?? Number.NaN);
  } catch {
    return 0;
  }
  // A visit stamped "later" than now (the clock was set back) still counts: at worst a few extra reads.
  if (!Number.isFinite(opened) || now - opened > PORTAL_RETURN_WINDOW_MS) return 0;
  return now + PORTAL_SYNC_MS;
}

/** Once the page has taken note of the return, a later visit is an ordinary one. */
export function forgetPortalVisit(storage: Storage | null = sessionStore()): void {
  try {
    storage?.removeItem(STORAGE_KEY);
  } catch {
    // Blocked storage: there was nothing to forget.
  }
}

/** The account's polling interval: a few seconds while syncing after the portal, none otherwise. */
export function billingRefetchInterval(syncUntil: number, now = Date.now()): number | false {
  return now < syncUntil ? PORTAL_SYNC_POLL_MS : false;
}
