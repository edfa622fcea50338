import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Photo, PhotoList, UploadLimits } from '@visiona/shared';
import { PHOTO_SOURCE_FORMATS } from '@visiona/shared';
import type { Config } from '../../config.ts';
import { withClaims, type Database } from '../../db/index.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, NotFound } from '../../lib/errors.ts';
import { readIdempotencyKey } from '../../lib/idempotency.ts';
import type { AuthUser } from '../auth/types.ts';
import { ingestUpload, type IncomingPart } from './pipeline/ingest.ts';
import { assessQuality } from './pipeline/quality.ts';
import * as repo from './repository.ts';

/** Where a user's photos live in the private bucket. Keyed by the user's uuid, never by email. */
export function photoPaths(userId: string, photoId: string) {
  const dir = `users/${userId}/photos`;
  return { photo: `${dir}/${photoId}.jpg`, thumb: `${dir}/${photoId}.thumb.webp` };
}

/** Reads and discards the rest of a multipart request, so that it can be answered. */
async function drain(parts: AsyncIterable<IncomingPart>): Promise<void> {
  try {
    for await (const part of parts) if (part.type === 'file') part.file.resume();
  } catch {
    // A malformed rest of the body does not change the answer already decided.
  }
}

export function uploadLimits(config: Config['uploads']): UploadLimits {
  return { ...config, acceptedFormats: [...PHOTO_SOURCE_FORMATS] };
}

export function createPhotoService(deps: { db: Database; storage: ObjectStorage; config: Config; clock: Clock }) {
  const { db, storage, config, clock } = deps;
  const ttl = config.storage.signedUrlTtlSeconds;
  const asUser = <T>(user: AuthUser, fn: Parameters<typeof withClaims<T>>[2]) => withClaims(db, { sub: user.subject }, fn);

  async function present(rows: repo.PhotoRow[]): Promise<Photo[]> {
    const { urls, expiresAt } = await storage.signedUrls(rows.flatMap((r) => [r.storage_path, r.thumb_path]), ttl);
    const urlExpiresAt = (expiresAt ?? new Date(clock.now().getTime() + ttl * 1000)).toISOString();
    return rows.map((r) => ({
      id: r.id,
      originalName: r.original_name,
      sourceFormat: r.source_format,
      width: r.width,
      height: r.height,
      byteSize: Number(r.byte_size),
      warnings: r.warnings,
      thumbnailUrl: urls.get(r.thumb_path) ?? '',
      url: urls.get(r.storage_path) ?? '',
      urlExpiresAt,
      createdAt: r.created_at.toISOString(),
    }));
  }

  return {
    /**
     * Checks, re-encodes and stores an upload. All or nothing: any refused file
     * refuses the request, and anything already stored by it is removed again.
     */
    async upload(
      user: AuthUser,
      parts: AsyncIterable<IncomingPart>,
      opts: { signal?: AbortSignal; idempotencyKey?: string | null } = {},
    ): Promise<{ photos: Photo[]; replayed: boolean }> {
      let key: string | null;
      try {
        key = readIdempotencyKey(opts.idempotencyKey);
      } catch (err) {
        await drain(parts);
        throw err;
      }
      if (key) {
        const earlier = await asUser(user, (tx) => repo.lockUploadKey(tx, user.subject, key));
        if (earlier.length > 0) {
          await drain(parts);
          return { photos: await present(earlier), replayed: true };
        }
      }
      const signal = opts.signal;
      const used = await asUser(user, (tx) => repo.usage(tx));
      const prepared = await ingestUpload(parts, {
        limits: { maxFiles: config.uploads.maxPhotos, ...config.uploads },
        tmpDir: tmpdir(),
        remainingPhotos: Math.max(0, config.uploads.maxPhotos - used.count),
        remainingBytes: Math.max(0, config.uploads.maxTotalBytes - used.bytes),
        ...(signal ? { signal } : {}),
      });
      const stored: string[] = [];
      try {
        const items = prepared.photos.map((p) => ({ p, id: randomUUID() }));
        for (const { p, id } of items) {
          const paths = photoPaths(user.id, id);
          stored.push(paths.photo);
          await storage.upload(paths.photo, createReadStream(p.photoPath), 'image/jpeg');
          stored.push(paths.thumb);
          await storage.upload(paths.thumb, createReadStream(p.thumbPath), 'image/webp');
        }
        const outcome = await asUser(user, async (tx) => {
          // A request with the same key that finished while this one was processing wins.
          const earlier = key ? await repo.lockUploadKey(tx, user.subject, key) : [];
          if (earlier.length > 0) return { rows: earlier, replayed: true };
          const existing = (await repo.listUnclaimed(tx)).filter((r) => r.dhash).map((r) => ({ id: r.id, dhash: r.dhash! }));
          const out: repo.PhotoRow[] = [];
          for (const { p, id } of items) {
            const warnings = assessQuality({ id, metrics: p.metrics }, existing, { minRecommendedSide: config.uploads.minRecommendedSide });
            const paths = photoPaths(user.id, id);
            out.push(
              await repo.insertPhoto(tx, {
                id,
                subject: user.subject,
                storagePath: paths.photo,
                thumbPath: paths.thumb,
                originalName: p.originalName,
                sourceFormat: p.sourceFormat,
                width: p.width,
                height: p.height,
                byteSize: p.byteSize,
                sha256: p.sha256,
                dhash: p.metrics.dhash,
                quality: { warnings, metrics: p.metrics },
                uploadKey: key,
              }),
            );
            existing.push({ id, dhash: p.metrics.dhash });
          }
          return { rows: out, replayed: false };
        });
        if (outcome.replayed) await storage.remove(stored);
        return { photos: await present(outcome.rows), replayed: outcome.replayed };
      } catch (err) {
        await storage.remove(stored).catch(() => {});
        throw err;
      } finally {
        await prepared.cleanup();
      }
    },

    async list(user: AuthUser): Promise<PhotoList> {
      const rows = await asUser(user, (tx) => repo.listUnclaimed(tx));
      return {
        items: await present(rows),
        count: rows.length,
        totalBytes: rows.reduce((n, r) => n + Number(r.byte_size), 0),
      };
    },

    async remove(user: AuthUser, id: string): Promise<void> {
      const gone = await asUser(user, (tx) => repo.deleteUnclaimed(tx, id));
      if (!gone) throw new NotFound('photo');
      if (gone.claimed) {
        throw new AppError(409, 'photo_in_training', 'This photo is part of a training that is running. It is deleted when the training ends.');
      }
      // The row is gone first: if removing the bytes fails, the sweeper removes them later.
      await storage.remove([gone.storage_path, ...(gone.thumb_path ? [gone.thumb_path] : [])]);
    },
  };
}

export type PhotoService = ReturnType<typeof createPhotoService>;
