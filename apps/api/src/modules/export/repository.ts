import type { Queryable } from '../../db/index.ts';

/** A stored object that goes into the zip: where it is in the bucket, and its name in the zip. */
export interface ExportFile {
  storagePath: string;
  /** Path inside the zip, below the `visiona-export/` folder. */
  name: string;
  modifiedAt: Date;
}

/**
 * Everything `data.json` holds. Internal identifiers of other services (Replicate models,
 * trainings and predictions, Stripe customers, subscriptions and invoices), storage paths
 * and secret hashes are left out: they mean nothing to the person and some are credentials.
 */
export interface AccountData {
  profile: { email: string; plan: string; createdAt: string };
  credits: {
    balance: number;
    /** What each movement was for, as ids within this export (the ledger's own references include Stripe's). */
    ledger: { delta: number; reason: string; modelId: string | null; generationId: string | null; paymentId: string | null; createdAt: string }[];
  };
  models: {
    id: string;
    name: string;
    triggerWord: string;
    status: string;
    parameters: unknown;
    photoCount: number;
    creditsCost: number;
    error: string | null;
    createdAt: string;
    updatedAt: string;
    completedAt: string | null;
    trainingPhotosDeletedAt: string | null;
  }[];
  generations: {
    id: string;
    modelId: string | null;
    modelName: string | null;
    prompt: string;
    enhancedPrompt: string | null;
    enhancement: string;
    presetId: string | null;
    options: unknown;
    status: string;
    error: string | null;
    creditsCost: number;
    createdAt: string;
    completedAt: string | null;
    images: { index: number; file: string | null; contentType: string; width: number; height: number; byteSize: number; favorite: boolean; createdAt: string }[];
  }[];
  photos: {
    id: string;
    file: string | null;
    originalName: string;
    sourceFormat: string;
    width: number | null;
    height: number | null;
    byteSize: number;
    quality: unknown;
    modelId: string | null;
    createdAt: string;
  }[];
  payments: {
    id: string;
    amountCents: number;
    currency: string;
    status: string;
    description: string | null;
    plan: string | null;
    creditsGranted: number;
    invoiceUrl: string | null;
    createdAt: string;
    updatedAt: string;
  }[];
  subscriptions: {
    plan: string;
    status: string;
    currentPeriodStart: string | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    canceledAt: string | null;
    endedAt: string | null;
    createdAt: string;
  }[];
  apiTokens: { name: string; prefix: string; scopes: string[]; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null }[];
  auditLog: { action: string; details: unknown; createdAt: string }[];
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
/** The stored object's extension (`…/0.png` → `png`); our own paths always have one. */
const extensionOf = (path: string) => /\.([a-z0-9]{1,5})$/i.exec(path)?.[1]?.toLowerCase() ?? 'bin';

interface ImageJson {
  idx: number;
  storage_path: string;
  content_type: string;
  width: number;
  height: number;
  byte_size: number;
  favorite: boolean;
  created_at: string;
}

/**
 * Reads the person's data inside a transaction that runs as them (RLS applies), oldest
 * first, and lists the stored objects that go into the zip with their names there.
 */
export async function readAccountData(tx: Queryable, userId: string): Promise<{ data: AccountData; files: ExportFile[] }> {
  const user = (
    await tx.query<{ email: string; plan: string; created_at: Date; balance: number }>(
      `select u.email, u.plan, u.created_at, coalesce((select b.balance from credit_balances b where b.owner_subject = u.auth_subject), 0)::int as balance
         from users u where u.id = $1`,
      [userId],
    )
  ).rows[0];
  if (!user) throw new Error('export: the user row is not visible to its own claims');

  const ledger = await tx.query<{ delta: number; reason: string; model_id: string | null; generation_id: string | null; payment_id: string | null; created_at: Date }>(
    // A training's or a generation's reference is its id; a subscription grant's is Stripe's invoice id.
    `with l as (
       select id, delta, reason, reference, created_at,
              case when reference ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then reference::uuid end as ref_id
         from credit_ledger)
     select l.delta, l.reason, l.created_at, m.id as model_id, g.id as generation_id, p.id as payment_id
       from l left join models m on m.id = l.ref_id left join generations g on g.id = l.ref_id left join payments p on p.stripe_id = l.reference
      order by l.created_at, l.id`,
  );
  const models = await tx.query<{
    id: string; name: string; trigger_word: string; status: string; parameters: unknown; photo_count: number; credits_cost: number;
    error: string | null; created_at: Date; updated_at: Date; completed_at: Date | null; photos_purged_at: Date | null;
  }>(
    `select id, name, trigger_word, status, parameters, photo_count, credits_cost, error, created_at, updated_at, completed_at, photos_purged_at
       from models order by created_at, id`,
  );
  const generations = await tx.query<{
    id: string; model_id: string | null; model_name: string | null; prompt: string; enhanced_prompt: string | null; enhancement: string;
    preset_id: string | null; parameters: unknown; status: string; error: string | null; credits_cost: number; created_at: Date;
    completed_at: Date | null; images: ImageJson[];
  }>(
    `select g.id, g.model_id, g.model_name, g.prompt, g.enhanced_prompt, g.enhancement, g.preset_id, g.parameters, g.status, g.error,
            g.credits_cost, g.created_at, g.completed_at,
            coalesce((select json_agg(json_build_object('idx', i.idx, 'storage_path', i.storage_path, 'content_type', i.content_type,
                       'width', i.width, 'height', i.height, 'byte_size', i.byte_size, 'favorite', i.favorite, 'created_at', i.created_at) order by i.idx)
                        from images i where i.generation_id = g.id), '[]'::json) as images
       from generations g order by g.created_at, g.id`,
  );
  const photos = await tx.query<{
    id: string; storage_path: string; original_name: string; source_format: string; width: number | null; height: number | null;
    byte_size: number; quality: unknown; model_id: string | null; created_at: Date;
  }>(
    `select id, storage_path, original_name, source_format, width, height, byte_size, quality, model_id, created_at
       from photos order by created_at, id`,
  );
  const payments = await tx.query<{
    id: string; amount_cents: string | number; currency: string; status: string; description: string | null; plan: string | null;
    credits_granted: number; hosted_invoice_url: string | null; created_at: Date; updated_at: Date;
  }>(
    `select id, amount_cents, currency, status, description, plan, credits_granted, hosted_invoice_url, created_at, updated_at
       from payments order by created_at, id`,
  );
  const subscriptions = await tx.query<{
    plan: string; status: string; current_period_start: Date | null; current_period_end: Date | null; cancel_at_period_end: boolean;
    canceled_at: Date | null; ended_at: Date | null; created_at: Date;
  }>(
    `select plan, status, current_period_start, current_period_end, cancel_at_period_end, canceled_at, ended_at, created_at
       from subscriptions order by created_at, id`,
  );
  const tokens = await tx.query<{
    name: string; prefix: string; scopes: string[]; created_at: Date; last_used_at: Date | null; expires_at: Date | null; revoked_at: Date | null;
  }>('select name, prefix, scopes, created_at, last_used_at, expires_at, revoked_at from api_tokens order by created_at, id');
  const audit = await tx.query<{ action: string; details: unknown; created_at: Date }>(
    'select action, details, created_at from audit_logs order by created_at, id',
  );

  const files: ExportFile[] = [];
  const data: AccountData = {
    profile: { email: user.email, plan: user.plan, createdAt: iso(user.created_at) },
    credits: {
      balance: user.balance,
      ledger: ledger.rows.map((l) => ({
        delta: l.delta,
        reason: l.reason,
        modelId: l.model_id,
        generationId: l.generation_id,
        paymentId: l.payment_id,
        createdAt: iso(l.created_at),
      })),
    },
    models: models.rows.map((m) => ({
      id: m.id,
      name: m.name,
      triggerWord: m.trigger_word,
      status: m.status,
      parameters: m.parameters,
      photoCount: m.photo_count,
      creditsCost: m.credits_cost,
      error: m.error,
      createdAt: iso(m.created_at),
      updatedAt: iso(m.updated_at),
      completedAt: isoOrNull(m.completed_at),
      trainingPhotosDeletedAt: isoOrNull(m.photos_purged_at),
    })),
    generations: generations.rows.map((g) => ({
      id: g.id,
      modelId: g.model_id,
      modelName: g.model_name,
      prompt: g.prompt,
      enhancedPrompt: g.enhanced_prompt,
      enhancement: g.enhancement,
      presetId: g.preset_id,
      options: g.parameters,
      status: g.status,
      error: g.error,
      creditsCost: g.credits_cost,
      createdAt: iso(g.created_at),
      completedAt: isoOrNull(g.completed_at),
      images: g.images.map((i) => {
        const name = `images/${g.id}/${i.idx + 1}.${extensionOf(i.storage_path)}`;
        const createdAt = new Date(i.created_at);
        files.push({ storagePath: i.storage_path, name, modifiedAt: createdAt });
        return {
          index: i.idx,
          file: name,
          contentType: i.content_type,
          width: i.width,
          height: i.height,
          byteSize: i.byte_size,
          favorite: i.favorite,
          createdAt: iso(createdAt),
        };
      }),
    })),
    photos: photos.rows.map((p) => {
      const name = `photos/${p.id}.${extensionOf(p.storage_path)}`;
      files.push({ storagePath: p.storage_path, name, modifiedAt: p.created_at });
      return {
        id: p.id,
        file: name,
        originalName: p.original_name,
        sourceFormat: p.source_format,
        width: p.width,
        height: p.height,
        byteSize: p.byte_size,
        quality: p.quality,
        modelId: p.model_id,
        createdAt: iso(p.created_at),
      };
    }),
    payments: payments.rows.map((p) => ({
      id: p.id,
      amountCents: Number(p.amount_cents),
      currency: p.currency,
      status: p.status,
      description: p.description,
      plan: p.plan,
      creditsGranted: p.credits_granted,
      invoiceUrl: p.hosted_invoice_url,
      createdAt: iso(p.created_at),
      updatedAt: iso(p.updated_at),
    })),
    subscriptions: subscriptions.rows.map((s) => ({
      plan: s.plan,
      status: s.status,
      currentPeriodStart: isoOrNull(s.current_period_start),
      currentPeriodEnd: isoOrNull(s.current_period_end),
      cancelAtPeriodEnd: s.cancel_at_period_end,
      canceledAt: isoOrNull(s.canceled_at),
      endedAt: isoOrNull(s.ended_at),
      createdAt: iso(s.created_at),
    })),
    apiTokens: tokens.rows.map((t) => ({
      name: t.name,
      prefix: t.prefix,
      scopes: t.scopes,
      createdAt: iso(t.created_at),
      lastUsedAt: isoOrNull(t.last_used_at),
      expiresAt: isoOrNull(t.expires_at),
      revokedAt: isoOrNull(t.revoked_at),
    })),
    auditLog: audit.rows.map((a) => ({ action: a.action, details: a.details ?? {}, createdAt: iso(a.created_at) })),
  };
  return { data, files };
}
