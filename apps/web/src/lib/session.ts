import { useSyncExternalStore } from 'react';

/** What the SPA keeps about the signed-in person between page loads. */
export interface Session {
  token: string;
  /** ISO date-time after which the API no longer accepts the token. */
  expiresAt: string;
}

/** Why the session ended; the sign-in page words its notice after it. */
export type SessionEndReason = 'signed-out' | 'expired';

export const SESSION_STORAGE_KEY = 'visiona.session';

type Listener = () => void;

const listeners = new Set<Listener>();
let current: Session | null = null;
let lastEndReason: SessionEndReason | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // Storage can throw when blocked by the browser's privacy settings.
  }
}

export function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.token === 'string' && v.token.length > 0 && typeof v.expiresAt === 'string';
}

export function isExpired(session: Session, now = Date.now()): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isNaN(expires) || expires <= now;
}

function readStored(): Session | null {
  const raw = storage()?.getItem(SESSION_STORAGE_KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isSession(parsed) && !isExpired(parsed) ? { token: parsed.token, expiresAt: parsed.expiresAt } : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const listener of listeners) listener();
}

function scheduleExpiry(session: Session | null) {
  clearTimeout(expiryTimer);
  if (!session) return;
  // setTimeout overflows above ~24.8 days; re-check then instead.
  const delay = Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    if (current && isExpired(current)) clearSession('expired');
    else scheduleExpiry(current);
  }, Math.max(delay, 0));
}

function load() {
  current = readStored();
  scheduleExpiry(current);
}

load();

// Keep tabs in step: signing out in one tab signs out the others.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== null && event.key !== SESSION_STORAGE_KEY) return;
    const hadSession = current !== null;
    load();
    if (hadSession && !current) lastEndReason = 'signed-out';
    emit();
  });
}

export function getSession(): Session | null {
  if (current && isExpired(current)) {
    clearSession('expired');
  }
  return current;
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function setSession(session: Session): void {
  current = { token: session.token, expiresAt: session.expiresAt };
  lastEndReason = null;
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, JSON.stringify(current));
  } catch {
    // Private browsing with a full quota: keep the session for this tab only.
  }
  scheduleExpiry(current);
  emit();
}

export function clearSession(reason: SessionEndReason): void {
  const had = current !== null;
  current = null;
  clearTimeout(expiryTimer);
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing stored, nothing to remove.
  }
  if (had) {
    lastEndReason = reason;
    emit();
  }
}

/** Why the last session ended, if one ended in this tab. */
export function getSessionEndReason(): SessionEndReason | null {
  return lastEndReason;
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current session; re-renders when someone signs in or out (in any tab). */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribeSession, getSnapshot, getServerSnapshot);
}

function getSnapshot(): Session | null {
  return current;
}

function getServerSnapshot(): Session | null {
  return null;
}
