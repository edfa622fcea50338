import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function esc(v: string | number): string {
  return String(v).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const CSS = `
:root{--ink:#1a1f36;--muted:#4f566b;--line:#d5dbe3;--accent:#4f46e5;--bg:#f6f8fb;--danger:#a4102f;--ok:#0b5a3e}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
.banner{margin:0;background:#ffe08a;color:#3d2a00;text-align:center;font-size:.875rem;font-weight:600;padding:.4rem 1rem}
main{max-width:28rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 3px rgba(26,31,54,.08)}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.125rem;margin:0 0 .25rem}
p{margin:.25rem 0 .75rem}
.eyebrow{color:var(--muted);font-size:.875rem;margin:0}
.price{font-size:2rem;font-weight:700;margin:.25rem 0 1rem;letter-spacing:-.01em}
.muted{color:var(--muted)}
.small{font-size:.875rem}
dl{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.4fr);gap:.5rem 1rem;margin:0 0 1.25rem;padding:1rem 0;border-top:1px solid var(--line);border-bottom:1px solid var(--line)}
dt{color:var(--muted)}
dd{margin:0;text-align:right;overflow-wrap:anywhere}
form{margin:0}
.stack{display:grid;gap:.75rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=email]{width:100%;font:inherit;padding:.625rem .75rem;border:1px solid #8792a2;border-radius:.5rem}
button{font:inherit;font-weight:600;width:100%;padding:.75rem 1rem;border-radius:.5rem;border:1px solid transparent;cursor:pointer}
.primary{background:var(--accent);color:#fff}
.primary:hover{background:#4338ca}
.secondary{background:#fff;color:var(--ink);border-color:#8792a2}
.secondary:hover{background:#f1f3f7}
.danger{background:#fff;color:var(--danger);border-color:var(--danger)}
a{color:var(--accent);font-weight:600}
.link-row{text-align:center;margin:1rem 0 0}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.alert{background:#fdecef;color:var(--danger);border:1px solid #f3b5c2;border-radius:.5rem;padding:.75rem 1rem;font-weight:600}
.notice{background:#e7f6ee;color:var(--ok);border:1px solid #a7dcc1;border-radius:.5rem;padding:.75rem 1rem;font-weight:600}
.sub{border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.sub .stack{margin-top:1rem}
.badge{display:inline-block;font-size:.8125rem;font-weight:700;padding:.1rem .5rem;border-radius:999px;background:#e7f6ee;color:var(--ok)}
.badge.warn{background:#fff1d6;color:#6b4300}
.badge.off{background:#eceff3;color:var(--muted)}
`;

/** A complete page: no external assets, readable from 390 px wide, marked as the emulator's. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<p class="banner" role="note">Test mode: Stripe emulator. No real payment is made.</p>
<main>
${body}
</main>
</body>
</html>`;
}

export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
    .send(layout(title, body));
}

/** A page that only says something (not found, expired, complete), with an optional way out. */
export function messagePage(heading: string, text: string, link?: { href: string; label: string }): string {
  return `<div class="card">
<h1>${esc(heading)}</h1>
<p>${esc(text)}</p>
${link ? `<p class="link-row"><a href="${esc(link.href)}">${esc(link.label)}</a></p>` : ''}
</div>`;
}

/** `https://app.example.com/billing` → `app.example.com`, for "Return to …" links. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
