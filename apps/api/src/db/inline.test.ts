import { describe, expect, it } from 'vitest';
import { escapeLiteral, inlineParams, toLiteral } from './inline.ts';

describe('inlineParams', () => {
  it('quotes strings like PQescapeLiteral', () => {
    expect(escapeLiteral("it's")).toBe("'it''s'");
    expect(escapeLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(() => escapeLiteral('a\0b')).toThrow(/NUL/);
  });

  it('formats each kind of value', () => {
    expect(toLiteral(null)).toBe('NULL');
    expect(toLiteral(undefined)).toBe('NULL');
    expect(toLiteral(true)).toBe('true');
    expect(toLiteral(42)).toBe('42');
    expect(toLiteral(10n)).toBe('10');
    expect(() => toLiteral(Number.NaN)).toThrow(/finite/);
    expect(toLiteral(new Date('2026-01-02T03:04:05.000Z'))).toBe("'2026-01-02T03:04:05.000Z'");
    expect(toLiteral(['read', "o'k"])).toBe(`'{"read","o''k"}'`);
    // An element needing a backslash escape makes the whole literal an E'' string.
    expect(toLiteral(['we"ird'])).toBe(` E'{"we\\\\"ird"}'`);
    expect(toLiteral({ a: "b'c" })).toBe(`'{"a":"b''c"}'`);
    expect(toLiteral(Buffer.from([1, 255]))).toBe("'\\x01ff'::bytea");
  });

  it('replaces placeholders outside quotes and comments only', () => {
    const sql = `select '$1', "$2col", $1 -- $2 stays\nfrom t where a = $2 and b = $10`;
    const params = Array.from({ length: 10 }, (_, i) => `p${i + 1}`);
    expect(inlineParams(sql, params)).toBe(`select '$1', "$2col", 'p1' -- $2 stays\nfrom t where a = 'p2' and b = 'p10'`);
  });

  it('refuses placeholders without a value and dollar quoting', () => {
    expect(() => inlineParams('select $2', ['x'])).toThrow(/\$2/);
    expect(() => inlineParams('select $$x$$', [])).toThrow(/Dollar-quoted/);
    expect(() => inlineParams("select 'open", [])).toThrow(/Unterminated/);
  });
});
