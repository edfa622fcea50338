/**
 * Client-side formatting of query parameters as SQL literals, for the one place
 * that needs a single simple-protocol round trip (`queryAsUser`). Values are
 * quoted the way libpq's PQescapeLiteral does; only `$n` placeholders outside
 * quoted strings, quoted identifiers and comments are replaced.
 */
export function escapeLiteral(value: string): string {
  if (value.includes('\0')) throw new TypeError('A query parameter contains a NUL character.');
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return value.includes('\\') ? ` E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

export function toLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('A query parameter is not a finite number.');
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return escapeLiteral(value);
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (Array.isArray(value)) return escapeLiteral(arrayLiteral(value));
  return escapeLiteral(JSON.stringify(value));
}

export function inlineParams(text: string, params: readonly unknown[] = []): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end === -1) throw new SyntaxError('Unterminated quote in SQL text.');
      out += text.slice(i, end + 1);
      i = end + 1;
    } else if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      out += end === -1 ? text.slice(i) : text.slice(i, end);
      i = end === -1 ? text.length : end;
    } else if (ch === '$' && /\d/.test(text[i + 1] ?? '')) {
      const m = /^\$(\d+)/.exec(text.slice(i))!;
      const n = Number(m[1]);
      if (n < 1 || n > params.length) throw new RangeError(`SQL refers to $${n} but ${params.length} parameters were given.`);
      out += toLiteral(params[n - 1]);
      i += m[0].length;
    } else if (ch === '$') {
      throw new SyntaxError('Dollar-quoted strings are not supported in queryAsUser.');
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}
