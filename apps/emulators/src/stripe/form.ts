import { isRecord } from './util.ts';

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormData = { [key: string]: FormValue };

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

function segments(key: string): string[] {
  const m = KEY.exec(key);
  if (!m?.[1]) return [key];
  const rest = [...(m[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1] ?? '');
  return [m[1], ...rest];
}

function toArrays(v: FormValue): FormValue {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  for (const k of keys) v[k] = toArrays(v[k] as FormValue);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.map(Number).sort((a, b) => a - b).map((i) => v[String(i)] as FormValue);
  }
  return v;
}

/**
 * Decodes a form body or query string the way Stripe reads what stripe-node sends:
 * `line_items[0][price]=x&metadata[k]=v&expand[]=y` → `{line_items: [{price: 'x'}], metadata: {k: 'v'}, expand: ['y']}`.
 * Objects whose keys are all indexes become arrays; an empty value stays `''` (Stripe's "unset").
 */
export function parseForm(text: string): FormData {
  const root: Record<string, FormValue> = Object.create(null) as Record<string, FormValue>;
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = segments(rawKey);
    let node: Record<string, FormValue> = root;
    for (let i = 0; i < path.length; i++) {
      let seg = path[i] as string;
      if (seg === '') seg = String(Object.keys(node).length);
      if (i === path.length - 1) {
        node[seg] = value;
        break;
      }
      const next = node[seg];
      if (!isRecord(next)) node[seg] = Object.create(null) as Record<string, FormValue>;
      node = node[seg] as Record<string, FormValue>;
    }
  }
  for (const k of Object.keys(root)) root[k] = toArrays(root[k] as FormValue);
  return root;
}
