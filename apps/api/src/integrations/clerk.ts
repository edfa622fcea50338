/**
 * Clerk, through the official SDK. The only module that imports @clerk/*;
 * loaded only when Clerk is configured.
 */
export interface ClerkIdentity {
  subject: string;
  sessionId: string;
  /** Present when the Clerk session token template includes an `email` claim. */
  email: string | null;
}

export interface ClerkGateway {
  /** The identity in a Clerk session token, or null if it is invalid, expired or for another party. */
  verifySessionToken(token: string): Promise<ClerkIdentity | null>;
  /** The user's primary email from Clerk's Backend API. */
  fetchPrimaryEmail(subject: string): Promise<string | null>;
  /** Deletes the identity at Clerk (account deletion); already deleted counts as done. */
  deleteUser(subject: string): Promise<void>;
}

export interface ClerkSettings {
  secretKey: string;
  publishableKey: string;
  jwtKey: string | null;
  authorizedParties: string[];
}

export async function createClerkGateway(settings: ClerkSettings): Promise<ClerkGateway> {
  const { verifyToken, createClerkClient } = await import('@clerk/fastify');
  const client = createClerkClient({ secretKey: settings.secretKey, publishableKey: settings.publishableKey });
  return {
    async verifySessionToken(token) {
      let payload: Awaited<ReturnType<typeof verifyToken>>;
      try {
        // Checks the signature, exp, nbf and azp. Networkless when jwtKey is set.
        payload = await verifyToken(token, {
          secretKey: settings.secretKey,
          authorizedParties: settings.authorizedParties,
          ...(settings.jwtKey ? { jwtKey: settings.jwtKey } : {}),
        });
      } catch {
        return null;
      }
      if (typeof payload.sub !== 'string' || !payload.sub) return null;
      const email = (payload as Record<string, unknown>).email;
      return {
        subject: payload.sub,
        sessionId: typeof payload.sid === 'string' ? payload.sid : payload.sub,
        email: typeof email === 'string' && email.includes('@') ? email : null,
      };
    },
    async deleteUser(subject) {
      try {
        await client.users.deleteUser(subject);
      } catch (err) {
        if ((err as { status?: unknown }).status !== 404) throw err;
      }
    },
    async fetchPrimaryEmail(subject) {
      const user = await client.users.getUser(subject);
      const primary = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId) ?? user.emailAddresses[0];
      return primary?.emailAddress ?? null;
    },
  };
}

/** A Clerk webhook event, as Clerk sends it (only the fields Visiona reads). */
export interface ClerkWebhookEvent {
  type: string;
  data: {
    id?: string;
    email_addresses?: { id: string; email_address: string }[];
    primary_email_address_id?: string | null;
    deleted?: boolean;
  };
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * Verifies a Svix-signed Clerk webhook over the raw body (signature,
 * constant-time compare, ±5 minute timestamp window) and returns the event and
 * its id, or null when it is not authentic.
 */
export async function verifyClerkWebhook(
  secret: string,
  rawBody: string,
  headers: WebhookHeaders,
): Promise<{ id: string; event: ClerkWebhookEvent } | null> {
  const { Webhook } = await import('svix');
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = h('svix-id');
  const timestamp = h('svix-timestamp');
  const signature = h('svix-signature');
  if (!id || !timestamp || !signature) return null;
  try {
    // Throws unless the signature and timestamp are valid; returns nothing in svix 2.
    new Webhook(secret).verify(rawBody, { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': signature });
  } catch {
    return null;
  }
  try {
    return { id, event: JSON.parse(rawBody) as ClerkWebhookEvent };
  } catch {
    return null;
  }
}

/** The event's primary email address, read defensively: the body is signed, but its shape is Clerk's to change. */
export function primaryEmail(data: ClerkWebhookEvent['data']): string | null {
  const list = (Array.isArray(data.email_addresses) ? data.email_addresses : []).filter((e) => typeof e === 'object' && e !== null);
  const primary = list.find((e) => e.id === data.primary_email_address_id) ?? list[0];
  const email = primary?.email_address;
  return typeof email === 'string' && email.includes('@') ? email : null;
}
