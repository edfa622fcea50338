import { useSyncExternalStore } from 'react';

/** A session from Visiona's own sign-in (local accounts): kept in localStorage between page loads. */
export interface LocalSession {
  kind: 'local';
  token: string;
  /** ISO date-time after which the API no longer accepts the token. */
  expiresAt: string;
}

/**
 * A session held by an external sign-in service (Clerk). That service keeps it and hands out
 * short-lived tokens; Visiona only mirrors who is signed in.
 */
export interface ExternalSession {
  kind: 'external';
  userId: string;
}

export type Session = LocalSession | ExternalSession;

/** What setSession needs: the token and its expiry from a sign-in or sign-up answer. */
export interface LocalSessionInit {
  token: string;
  expiresAt: string;
}

/** How the app talks to an external sign-in service once it has loaded. */
export interface ExternalAuth {
  /** A fresh token for the API (the service refreshes it as needed). */
  getToken: () => Promise<string | null>;
  signOut: () => Promise<void>;
}

/** Why the session ended; the sign-in page words its notice after it. */
export type SessionEndReason = 'signed-out' | 'expired' | 'account-deleted';

export const SESSION_STORAGE_KEY = 'visiona.session';

type Listener = () => void;

const listeners = new Set<Listener>();
let current: Session | null = null;
let lastEndReason: SessionEndReason | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
let externalAuth: ExternalAuth | null = null;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // Storage can throw when blocked by the browser's privacy settings.
  }
}

/** The shape a local session is stored in. */
export function isStoredSession(value: unknown): value is LocalSessionInit {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.token === 'string' && v.token.length > 0 && typeof v.expiresAt === 'string';
}

export function isExpired(session: LocalSessionInit, now = Date.now()): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isNaN(expires) || expires <= now;
}

function readStored(): LocalSession | null {
  const raw = storage()?.getItem(SESSION_STORAGE_KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isStoredSession(parsed) && !isExpired(parsed)
      ? { kind: 'local', token: parsed.token, expiresAt: parsed.expiresAt }
      : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const listener of listeners) listener();
}

function scheduleExpiry(session: Session | null) {
  clearTimeout(expiryTimer);
  if (session?.kind !== 'local') return;
  // setTimeout overflows above ~24.8 days; re-check then instead.
  const delay = Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    if (current?.kind === 'local' && isExpired(current)) clearSession('expired');
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
    // External sessions are not stored here; the sign-in service keeps its own tabs in step.
    if (current?.kind === 'external') return;
    const hadSession = current !== null;
    load();
    if (hadSession && !current) lastEndReason = 'signed-out';
    emit();
  });
}

export function getSession(): Session | null {
  if (current?.kind === 'local' && isExpired(current)) {
    clearSession('expired');
  }
  return current;
}

/** The bearer token for the API: the stored one, or a fresh one from the external sign-in service. */
export function getToken(): string | null | Promise<string | null> {
  const session = getSession();
  if (!session) return null;
  if (session.kind === 'local') return session.token;
  return externalAuth ? externalAuth.getToken() : null;
}

/** Starts a local session (after sign-in or sign-up) and keeps it for the next page load. */
export function setSession(session: LocalSessionInit): void {
  current = { kind: 'local', token: session.token, expiresAt: session.expiresAt };
  lastEndReason = null;
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
  } catch {
    // Private browsing with a full quota: keep the session for this tab only.
  }
  scheduleExpiry(current);
  emit();
}

export function clearSession(reason: SessionEndReason): void {
  const previous = current;
  current = null;
  clearTimeout(expiryTimer);
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing stored, nothing to remove.
  }
  if (previous?.kind === 'external' && externalAuth) {
    // The sign-in service must forget the session too, or it would sign the person straight back in.
    externalAuth.signOut().catch((error: unknown) => console.error(error));
  }
  if (previous) {
    lastEndReason = reason;
    emit();
  }
}

/** Plugs in the external sign-in service (Clerk mode). Returns a function that unplugs it. */
export function connectExternalAuth(auth: ExternalAuth): () => void {
  externalAuth = auth;
  return () => {
    if (externalAuth === auth) externalAuth = null;
  };
}

/** Asks the external sign-in service to end its session (it then reports nobody signed in). */
export async function signOutExternal(): Promise<void> {
  await externalAuth?.signOut();
}

/**
 * Mirrors who the external sign-in service says is signed in (null: nobody).
 * Unlike clearSession, it never asks the service to sign out: the service is the one reporting.
 */
export function setExternalSession(userId: string | null): void {
  const previous = current;
  if (userId === null ? previous === null : previous?.kind === 'external' && previous.userId === userId) return;
  clearTimeout(expiryTimer);
  try {
    // A leftover local session from before the server switched to external sign-in means nothing now.
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing stored, nothing to remove.
  }
  current = userId === null ? null : { kind: 'external', userId };
  if (userId !== null) lastEndReason = null;
  else if (previous) lastEndReason = 'signed-out';
  emit();
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
