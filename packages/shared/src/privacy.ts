/**
 * Error reports (Sentry) leave the system, so they must carry no personal data: no user,
 * no IP address, no request headers, cookies, body or query, and no email address or
 * token anywhere in a message or breadcrumb. The API and the SPA both pass every event
 * and breadcrumb through these functions before it is sent. They work on the JSON shape
 * of a Sentry event, with no dependency on the SDK, and change the event in place.
 */

/**
 * The Sentry SDK's `dataCollection` option with every kind of collection off. SDK 11
 * replaced `sendDefaultPii: false` with this option, whose defaults collect user info,
 * cookies, headers, bodies and query strings: each one must be turned off by name.
 */
export const SENTRY_COLLECT_NOTHING = {
  userInfo: false,
  cookies: false,
  httpHeaders: false,
  httpBodies: [] as never[],
  urlQueryParams: false,
  graphQL: { document: false, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
};

/** Object keys whose value is never sent, whatever it looks like. */
const SENSITIVE_KEY = /authorization|cookie|password|passwd|secret|token|api[-_]?key|e-?mail|ip_address|signature|session|credential/i;

// Order matters: URLs first (their query may hold anything), then the shapes of secrets,
// then addresses. Each replacement names what was there, never any of its content.
const TEXT_RULES: [RegExp, string][] = [
  // The query string and fragment of absolute URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1?[redacted]'],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // JSON Web Tokens (Clerk sessions, Supabase keys).
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[token]'],
  // Visiona's API and session tokens, Stripe, Replicate, OpenAI and webhook secrets.
  [/\b(?:vs[ks]_|[sr]k_(?:live|test)_|pk_(?:live|test)_|whsec_|r8_|sk-)[A-Za-z0-9._+/=-]{6,}/g, '[token]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // IPv6 (with "::" or at least four groups, so that a time such as 12:34:56 is left alone), then IPv4.
  [/(?<![\w:.])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){3}[0-9a-f]{1,4})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi, '[ip]'],
  [/(?<![\w.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\w.])/g, '[ip]'],
  // Anything else long and random-looking (keys, ids, hashes): 24+ characters mixing letters and digits.
  [/(?<![\w-])(?=[A-Za-z_-]*\d)(?=[\d_-]*[A-Za-z])[A-Za-z0-9_-]{24,}(?![\w-])/g, '[redacted]'],
];

/** The text with every email address, token, IP address and URL query replaced by a marker. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of any JSON-like value with its strings scrubbed and its sensitive keys redacted. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) ? '[redacted]' : scrubValue(v, depth + 1);
  }
  return out;
}

/** The path of a URL, absolute or relative, without its query or fragment. */
function withoutQuery(url: string): string {
  return scrubText(url.split(/[?#]/, 1)[0] ?? '');
}

/** Sentry's breadcrumb, as far as scrubbing is concerned. */
interface ScrubbableBreadcrumb {
  category?: string;
  message?: string;
  data?: Record<string, unknown>;
}

/** A breadcrumb fit to send, or null to drop it (what a person typed into a field). */
export function scrubBreadcrumb<T extends object>(breadcrumb: T): T | null {
  const crumb = breadcrumb as ScrubbableBreadcrumb;
  if (crumb.category === 'ui.input') return null;
  if (typeof crumb.message === 'string') crumb.message = scrubText(crumb.message);
  if (crumb.data) {
    const data = scrubValue(crumb.data) as Record<string, unknown>;
    // fetch/xhr/navigation breadcrumbs carry relative URLs too, which the text rules leave whole.
    for (const key of ['url', 'from', 'to']) {
      const raw = crumb.data[key];
      if (typeof raw === 'string') data[key] = withoutQuery(raw);
    }
    crumb.data = data;
  }
  return breadcrumb;
}

interface ScrubbableException {
  value?: string;
  stacktrace?: { frames?: { vars?: unknown }[] };
}

/** Sentry's event, as far as scrubbing is concerned. */
interface ScrubbableEvent {
  message?: string;
  logentry?: { message?: string; params?: unknown[] };
  user?: unknown;
  request?: { method?: string; url?: string };
  exception?: { values?: ScrubbableException[] };
  breadcrumbs?: ScrubbableBreadcrumb[];
  extra?: Record<string, unknown>;
  contexts?: Record<string, unknown>;
  tags?: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tags holding our own random ids, kept when they are UUIDs. */
const ID_TAGS = ['request_id', 'job_id'] as const;

/**
 * The event with no personal data: no user, only the method and path of the request,
 * and every message, exception value, breadcrumb, tag, extra and context scrubbed.
 * A request id in the `request_id` tag, and a job id in `job_id`, is kept when it is one
 * of ours (a UUID), so a report can be matched with the logs and the jobs table.
 */
export function scrubErrorEvent<T extends object>(original: T): T {
  const event = original as ScrubbableEvent;
  delete event.user;
  if (event.request) {
    const { method, url } = event.request;
    event.request = { ...(method ? { method } : {}), ...(url ? { url: withoutQuery(url) } : {}) };
  }
  if (typeof event.message === 'string') event.message = scrubText(event.message);
  if (event.logentry) {
    event.logentry = {
      ...(typeof event.logentry.message === 'string' ? { message: scrubText(event.logentry.message) } : {}),
      ...(event.logentry.params ? { params: scrubValue(event.logentry.params) as unknown[] } : {}),
    };
  }
  for (const ex of event.exception?.values ?? []) {
    if (typeof ex.value === 'string') ex.value = scrubText(ex.value);
    for (const frame of ex.stacktrace?.frames ?? []) delete frame.vars;
  }
  if (event.breadcrumbs) {
    event.breadcrumbs = event.breadcrumbs.map((b) => scrubBreadcrumb(b)).filter((b): b is ScrubbableBreadcrumb => b !== null);
  }
  if (event.extra) event.extra = scrubValue(event.extra) as Record<string, unknown>;
  if (event.contexts) {
    // The trace context holds only random ids Sentry links events with.
    const { trace, ...rest } = event.contexts;
    event.contexts = { ...(scrubValue(rest) as Record<string, unknown>), ...(trace === undefined ? {} : { trace }) };
  }
  if (event.tags) {
    const tags = event.tags;
    event.tags = scrubValue(tags) as Record<string, unknown>;
    for (const key of ID_TAGS) {
      const id = tags[key];
      if (typeof id === 'string' && UUID.test(id)) event.tags[key] = id;
    }
  }
  return original;
}
