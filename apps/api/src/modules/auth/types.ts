import type { TokenScopeName } from '@visiona/shared';

/** Who is calling, as every route sees it, however they signed in. */
export interface AuthUser {
  id: string;
  subject: string;
  email: string;
  plan: string;
  /** `session`: a local sign-in; `clerk`: a Clerk session token; `token`: a personal API token. */
  via: 'session' | 'clerk' | 'token';
  /** The session or API token id (Clerk: the Clerk session id). */
  credentialId: string;
  /** What an API token may do; sessions may do everything. */
  scopes: readonly TokenScopeName[] | 'all';
}

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}
