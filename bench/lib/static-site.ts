/**
 * The built SPA served the way docker/nginx.conf serves it in production: files from the build folder,
 * gzip (level 5) for text of 1 kB and more, `/assets/*` (hashed names) cached for a year, index.html
 * and every other path revalidated, unknown paths answered with index.html (client-side routes), and
 * `/api`, `/livez`, `/readyz` passed through to the API. What Lighthouse measures is then what a
 * visitor downloads, not what Vite's preview server sends.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** nginx.conf's gzip_types and gzip_min_length. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.map', '.svg', '.txt']);
const GZIP_MIN_BYTES = 1024;
const API_PREFIXES = ['/api/', '/livez', '/readyz'];

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export async function serveStaticSite(root: string, apiUrl: string): Promise<StaticSite> {
  const api = new URL(apiUrl);
  const gzipped = new Map<string, Buffer>();

  async function fileFor(pathname: string): Promise<string | null> {
    // A URL path starts with '/', so normalising it cannot climb above the build folder.
    const file = path.join(root, path.normalize(decodeURIComponent(pathname)));
    if (!file.startsWith(root + path.sep)) return null;
    const info = await stat(file).catch(() => null);
    return info?.isFile() ? file : null;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (API_PREFIXES.some((prefix) => url.pathname === prefix.replace(/\/$/, '') || url.pathname.startsWith(prefix))) {
      const upstream = http.request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: { ...req.headers, host: api.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 502, error: 'Bad Gateway', message: 'The API is not reachable.' }));
      });
      req.pipe(upstream);
      return;
    }
    void (async () => {
      const file = (await fileFor(url.pathname)) ?? path.join(root, 'index.html');
      const ext = path.extname(file);
      const headers: http.OutgoingHttpHeaders = {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
      const size = (await stat(file)).size;
      if (COMPRESSIBLE.has(ext) && size >= GZIP_MIN_BYTES && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        let body = gzipped.get(file);
        if (!body) {
          body = gzipSync(await readFile(file), { level: 5 });
          gzipped.set(file, body);
        }
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'Accept-Encoding', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
