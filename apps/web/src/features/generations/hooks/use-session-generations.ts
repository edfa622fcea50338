import { useSyncExternalStore } from 'react';
import { getSession, subscribeSession } from '@/lib/session';

/**
 * The generations started in this tab, newest first: the Generate page shows them as cards
 * (pending, then filled in). Kept outside React so they survive a visit to another page, and in
 * sessionStorage so they survive a reload; forgotten when the person signs out or changes.
 */
const STORAGE_KEY = 'visiona.session-generations';
const MAX_KEPT = 24;

type Listener = () => void;
const listeners = new Set<Listener>();
let ids: readonly string[] = read();

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Which sign-in the stored list belongs to: a new sign-in in this tab (even while this module was not
 * loaded to hear about it) starts with an empty list. Not a secret: the session's expiry, or Clerk's user id.
 */
function currentOwner(): string | null {
  const session = getSession();
  if (!session) return null;
  return session.kind === 'local' ? `local:${session.expiresAt}` : `external:${session.userId}`;
}

interface Stored {
  owner: string;
  ids: string[];
}

function read(): string[] {
  try {
    const parsed = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? 'null') as Partial<Stored> | null;
    const owner = currentOwner();
    if (!parsed || owner === null || parsed.owner !== owner || !Array.isArray(parsed.ids)) return [];
    return parsed.ids.filter((id): id is string => typeof id === 'string').slice(0, MAX_KEPT);
  } catch {
    return [];
  }
}

function write(next: readonly string[]) {
  ids = next;
  try {
    const owner = currentOwner();
    if (next.length === 0 || owner === null) storage()?.removeItem(STORAGE_KEY);
    else storage()?.setItem(STORAGE_KEY, JSON.stringify({ owner, ids: [...next] } satisfies Stored));
  } catch {
    // Storage full or blocked: the list lives for this page load only.
  }
  for (const listener of listeners) listener();
}

/** Puts a generation first (once). */
export function addSessionGeneration(id: string): void {
  write([id, ...ids.filter((existing) => existing !== id)].slice(0, MAX_KEPT));
}

export function removeSessionGeneration(id: string): void {
  if (ids.includes(id)) write(ids.filter((existing) => existing !== id));
}

export function clearSessionGenerations(): void {
  if (ids.length > 0) write([]);
}

// Another person's generations must never show up: forget them whenever the session changes.
subscribeSession(clearSessionGenerations);

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSessionGenerations(): readonly string[] {
  return useSyncExternalStore(
    subscribe,
    () => ids,
    () => ids,
  );
}
