import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A secret from configuration, or else one generated once into the data folder
 * and kept there (mode 0600), so that the embedded default needs no setup and
 * keeps its sessions across restarts.
 */
export async function loadOrCreateSecret(configured: string | null, dataDir: string, name: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, `${name}.key`);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 43) return Buffer.from(existing, 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // 'wx' fails if another process created it first; then read theirs.
  try {
    await writeFile(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  }
}
