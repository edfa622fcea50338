import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WireCustomer, WireEvent, WireInvoice } from './objects.ts';
import type { CheckoutRecord, EndpointRecord, PortalRecord, Store, SubscriptionRecord } from './store.ts';
import { isRecord } from './util.ts';

/** The newest events kept in the file (and loaded back); older ones are dropped. */
export const MAX_SAVED_EVENTS = 1000;

/**
 * What `dataFile` holds: the state a restart must not lose. Products and prices are not in it
 * (they are seeded from the options each start); idempotency keys and pending webhook
 * deliveries do not survive either.
 */
export interface StateFile {
  version: 1;
  savedAt: string;
  portalConfiguration: string;
  customers: WireCustomer[];
  deletedCustomers: string[];
  checkouts: CheckoutRecord[];
  portals: PortalRecord[];
  subscriptions: SubscriptionRecord[];
  invoices: WireInvoice[];
  /** Oldest first, at most MAX_SAVED_EVENTS. */
  events: WireEvent[];
  endpoints: EndpointRecord[];
}

export function snapshotOf(store: Store, savedAt: Date): StateFile {
  return {
    version: 1,
    savedAt: savedAt.toISOString(),
    portalConfiguration: store.portalConfiguration,
    customers: [...store.customers.values()],
    deletedCustomers: [...store.deletedCustomers],
    checkouts: [...store.checkouts.values()],
    portals: [...store.portals.values()],
    subscriptions: [...store.subscriptions.values()],
    invoices: [...store.invoices.values()],
    events: [...store.events.values()].slice(-MAX_SAVED_EVENTS),
    endpoints: [...store.endpoints.values()],
  };
}

/** Fills an empty store from a checked state file (keeping the newest MAX_SAVED_EVENTS events). */
export function restore(store: Store, state: StateFile): void {
  store.portalConfiguration = state.portalConfiguration;
  for (const c of state.customers) store.customers.set(c.id, c);
  for (const id of state.deletedCustomers) store.deletedCustomers.add(id);
  for (const r of state.checkouts) store.checkouts.set(r.session.id, r);
  for (const r of state.portals) store.portals.set(r.session.id, r);
  for (const r of state.subscriptions) store.subscriptions.set(r.sub.id, r);
  for (const i of state.invoices) store.invoices.set(i.id, i);
  for (const e of state.events.slice(-MAX_SAVED_EVENTS)) store.events.set(e.id, e);
  for (const r of state.endpoints) store.endpoints.set(r.endpoint.id, r);
}

// ------------------------------------------------------------------ checking a loaded file

class ShapeError extends Error {}

function must(ok: boolean, at: string, what: string): void {
  if (!ok) throw new ShapeError(`${at} ${what}`);
}

/** A Stripe object: a hash with a string `id` and the given `object`. */
function wire(v: unknown, at: string, object: string): Record<string, unknown> {
  must(isRecord(v), at, `must be a ${object} object`);
  const r = v as Record<string, unknown>;
  must(typeof r['id'] === 'string' && r['id'] !== '', `${at}.id`, 'must be a non-empty string');
  must(r['object'] === object, `${at}.object`, `must be "${object}"`);
  return r;
}

function list(state: Record<string, unknown>, key: string, each: (v: unknown, at: string) => void): void {
  const v = state[key];
  must(Array.isArray(v), key, 'must be an array');
  (v as unknown[]).forEach((x, i) => each(x, `${key}[${i}]`));
}

function apiList(v: unknown, at: string, object: string, nonEmpty: boolean): void {
  must(isRecord(v) && Array.isArray(v['data']), at, 'must be a list with data');
  const data = (v as { data: unknown[] }).data;
  must(!nonEmpty || data.length > 0, `${at}.data`, 'must not be empty');
  data.forEach((x, i) => wire(x, `${at}.data[${i}]`, object));
}

function stringRecord(v: unknown, at: string): void {
  must(isRecord(v) && Object.values(v).every((x) => typeof x === 'string'), at, 'must be a hash of strings');
}

/** Checks the parsed JSON is a state file this emulator wrote; the message names the first thing that is not. */
function checkState(v: unknown): StateFile {
  must(isRecord(v), 'the top level', 'must be a JSON object');
  const s = v as Record<string, unknown>;
  must(s['version'] === 1, 'version', `must be 1 (found ${JSON.stringify(s['version']) ?? 'nothing'})`);
  must(typeof s['portalConfiguration'] === 'string' && s['portalConfiguration'].startsWith('bpc_'), 'portalConfiguration', 'must be a bpc_… id');
  list(s, 'customers', (x, at) => wire(x, at, 'customer'));
  list(s, 'deletedCustomers', (x, at) => must(typeof x === 'string', at, 'must be a customer id'));
  list(s, 'checkouts', (x, at) => {
    must(isRecord(x), at, 'must be an object');
    const r = x as Record<string, unknown>;
    wire(r['session'], `${at}.session`, 'checkout.session');
    must(Array.isArray(r['lineItems']) && r['lineItems'].length > 0, `${at}.lineItems`, 'must be a non-empty array');
    (r['lineItems'] as unknown[]).forEach((li, i) => wire(li, `${at}.lineItems[${i}]`, 'item'));
    stringRecord(r['subscriptionMetadata'], `${at}.subscriptionMetadata`);
  });
  list(s, 'portals', (x, at) => {
    must(isRecord(x), at, 'must be an object');
    const r = x as Record<string, unknown>;
    wire(r['session'], `${at}.session`, 'billing_portal.session');
    must(r['firstVisitAt'] === null || Number.isInteger(r['firstVisitAt']), `${at}.firstVisitAt`, 'must be null or unix seconds');
  });
  list(s, 'subscriptions', (x, at) => {
    must(isRecord(x), at, 'must be an object');
    const r = x as Record<string, unknown>;
    const sub = wire(r['sub'], `${at}.sub`, 'subscription');
    must(typeof sub['customer'] === 'string', `${at}.sub.customer`, 'must be a customer id');
    apiList(sub['items'], `${at}.sub.items`, 'subscription_item', true);
    must(Number.isInteger(r['periodIndex']) && (r['periodIndex'] as number) >= 0, `${at}.periodIndex`, 'must be an integer ≥ 0');
  });
  list(s, 'invoices', (x, at) => {
    const inv = wire(x, at, 'invoice');
    must(typeof inv['customer'] === 'string', `${at}.customer`, 'must be a customer id');
    apiList(inv['lines'], `${at}.lines`, 'line_item', false);
  });
  list(s, 'events', (x, at) => {
    const e = wire(x, at, 'event');
    must(typeof e['type'] === 'string', `${at}.type`, 'must be a string');
    must(isRecord(e['data']) && isRecord(e['data']['object']), `${at}.data.object`, 'must be an object');
  });
  list(s, 'endpoints', (x, at) => {
    must(isRecord(x), at, 'must be an object');
    const r = x as Record<string, unknown>;
    const endpoint = wire(r['endpoint'], `${at}.endpoint`, 'webhook_endpoint');
    must(typeof endpoint['url'] === 'string', `${at}.endpoint.url`, 'must be a string');
    must(Array.isArray(endpoint['enabled_events']), `${at}.endpoint.enabled_events`, 'must be an array');
    must(typeof r['secret'] === 'string' && r['secret'].startsWith('whsec_'), `${at}.secret`, 'must be a whsec_… secret');
    must(r['fromOptions'] === undefined || typeof r['fromOptions'] === 'boolean', `${at}.fromOptions`, 'must be a boolean');
  });
  return v as unknown as StateFile;
}

/** The state saved in `file`, or null when there is no such file. Anything else unreadable throws an Error naming the file. */
export async function loadStateFile(file: string): Promise<StateFile | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the Stripe emulator data file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const fix = 'fix it, or move it away to start with an empty state';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`the Stripe emulator data file ${file} is not valid JSON (${(err as Error).message}); ${fix}`, { cause: err });
  }
  try {
    return checkState(parsed);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new Error(`the Stripe emulator data file ${file} is not a version 1 Stripe emulator state: ${err.message}; ${fix}`, { cause: err });
  }
}

/** Writes `<file>.tmp` (mode 0600, synced) and renames it over `file`, so a crash leaves the old or the new state, never half of one. */
async function writeAtomically(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await mkdir(dirname(file), { recursive: true });
  const fh = await open(tmp, 'w', 0o600);
  try {
    // `open` applies the mode only when it creates the file; a leftover .tmp keeps its own.
    await fh.chmod(0o600);
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await chmod(file, 0o600);
}

/**
 * Saves the state after changes: `schedule()` marks it changed and one write follows on the next
 * tick, however many changes came in the meantime; at most one write is in flight, and changes
 * made during it are written right after. `flush()` writes what is pending and waits.
 */
export class StateSaver {
  private readonly file: string;
  private readonly serialize: () => string;
  private readonly onError: (err: Error) => void;
  private dirty = false;
  private timer: NodeJS.Immediate | null = null;
  private writing: Promise<void> | null = null;

  constructor(opts: { file: string; serialize: () => string; onError: (err: Error) => void }) {
    this.file = opts.file;
    this.serialize = opts.serialize;
    this.onError = opts.onError;
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setImmediate(() => {
      this.timer = null;
      this.drain().catch((err: unknown) => this.onError(err as Error));
    });
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearImmediate(this.timer);
      this.timer = null;
    }
    await this.writing?.catch(() => undefined);
    if (this.dirty) await this.drain();
  }

  /** Runs the write loop, or joins the one in flight. */
  private drain(): Promise<void> {
    this.writing ??= this.writeWhileDirty().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async writeWhileDirty(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const data = this.serialize();
      try {
        await writeAtomically(this.file, data);
      } catch (err) {
        this.dirty = true;
        throw new Error(`cannot write the Stripe emulator data file ${this.file}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}
