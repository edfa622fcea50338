import { invalidParam, parameterMissing } from './errors.ts';
import type { FormData, FormValue } from './form.ts';
import { isHttpUrl, isRecord } from './util.ts';

function orList(values: readonly string[]): string {
  if (values.length <= 2) return values.join(' or ');
  return `${values.slice(0, -1).join(', ')}, or ${values.at(-1) ?? ''}`;
}

/**
 * Typed reads of a decoded form body or query, failing the way Stripe does: the error names
 * the parameter in bracket form (`line_items[0][price]`).
 */
export class Params {
  private readonly data: Record<string, FormValue>;
  private readonly prefix: string;

  constructor(data: unknown, prefix = '') {
    this.data = isRecord(data) ? (data as FormData) : {};
    this.prefix = prefix;
  }

  /** Where this reader sits in the request (`line_items[0]`), empty at the top. */
  get path(): string {
    return this.prefix;
  }

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.data[key] !== undefined;
  }

  raw(key: string): FormValue | undefined {
    return this.data[key];
  }

  /** A string; `''` is refused (Stripe reads it as "unset", which these parameters do not allow). */
  string(key: string, opts: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const v = this.data[key];
    if (v === undefined) {
      if (opts.required) throw parameterMissing(this.name(key));
      return undefined;
    }
    if (typeof v !== 'string') throw invalidParam(this.name(key), `Invalid string: ${this.name(key)} must be a string.`);
    if (v === '') {
      throw invalidParam(this.name(key), `You passed an empty string for '${this.name(key)}'. We assume empty values are an attempt to unset a parameter; however '${this.name(key)}' cannot be unset. You should remove '${this.name(key)}' from your request or supply a non-empty value.`, 'parameter_invalid_empty');
    }
    if (opts.maxLength !== undefined && v.length > opts.maxLength) throw invalidParam(this.name(key), `Invalid string: ${this.name(key)} must be at most ${opts.maxLength} characters.`, 'parameter_invalid_string_too_long');
    return v;
  }

  /** A string that `''` unsets: `undefined` when absent, `null` for `''`. */
  nullableString(key: string, maxLength = 5000): string | null | undefined {
    const v = this.data[key];
    if (v === '') return null;
    return this.string(key, { maxLength });
  }

  boolean(key: string): boolean | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParam(this.name(key), `Invalid boolean: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }

  integer(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw invalidParam(this.name(key), `Invalid integer: ${typeof v === 'string' ? v : JSON.stringify(v)}`, 'parameter_invalid_integer');
    const n = Number(v);
    if (range.min !== undefined && n < range.min) throw invalidParam(this.name(key), `This value must be greater than or equal to ${range.min}.`, 'parameter_invalid_integer');
    if (range.max !== undefined && n > range.max) throw invalidParam(this.name(key), `This value must be less than or equal to ${range.max}.`, 'parameter_invalid_integer');
    return n;
  }

  oneOf<T extends string>(key: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const v = this.string(key, opts);
    if (v === undefined) return undefined;
    if (!values.includes(v as T)) throw invalidParam(this.name(key), `Invalid ${this.name(key)}: must be one of ${orList(values)}`);
    return v as T;
  }

  /** A URL (`http:` or `https:`), as Stripe requires for redirect and webhook URLs. */
  url(key: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.string(key, { ...opts, maxLength: 5000 });
    if (v === undefined) return undefined;
    if (!isHttpUrl(v.replace(/\{CHECKOUT_SESSION_ID\}/g, 'x'))) throw invalidParam(this.name(key), 'Not a valid URL', 'url_invalid');
    return v;
  }

  /**
   * Metadata as Stripe takes it: `metadata=''` clears (null), `metadata[k]=''` removes a key
   * (kept here as `''` for the caller to apply), at most 50 keys of 40 characters, values of 500.
   */
  metadata(key = 'metadata'): Record<string, string> | null | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    if (v === '') return null;
    if (!isRecord(v)) throw invalidParam(this.name(key), `Invalid object: ${this.name(key)} must be a hash of keys and values.`);
    const out: Record<string, string> = {};
    const entries = Object.entries(v);
    if (entries.length > 50) throw invalidParam(this.name(key), 'You can specify up to 50 keys in metadata.');
    for (const [k, val] of entries) {
      if (typeof val !== 'string') throw invalidParam(`${this.name(key)}[${k}]`, 'Metadata values must be strings.');
      if (k.length > 40) throw invalidParam(`${this.name(key)}[${k}]`, 'Metadata keys can be at most 40 characters long.');
      if (val.length > 500) throw invalidParam(`${this.name(key)}[${k}]`, 'Metadata values can be at most 500 characters long.');
      out[k] = val;
    }
    return out;
  }

  /** A nested hash as its own reader (`subscription_data[metadata]` → `sub('subscription_data').metadata()`). */
  sub(key: string): Params | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    if (!isRecord(v)) throw invalidParam(this.name(key), `Invalid object: ${this.name(key)} must be a hash.`);
    return new Params(v, this.name(key));
  }

  /** An array of hashes (`line_items[0][price]`…), each as its own reader. */
  list(key: string): Params[] | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw invalidParam(this.name(key), `Invalid array: ${this.name(key)} must be an array.`);
    return v.map((item, i) => new Params(item, `${this.name(key)}[${i}]`));
  }

  /** An array of strings (`lookup_keys[0]=a`, `expand[]=b`); a single value counts as one. */
  strings(key: string): string[] | undefined {
    const v = this.data[key];
    if (v === undefined) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((item, i) => {
      if (typeof item !== 'string' || item === '') throw invalidParam(`${this.name(key)}[${i}]`, `Invalid array: ${this.name(key)} must be a list of strings.`);
      return item;
    });
  }

  expand(): string[] {
    return this.strings('expand') ?? [];
  }
}

/** Applies a metadata update: null clears everything, `''` values remove keys. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | null | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Metadata on create: `''` values are simply not set. */
export function initialMetadata(update: Record<string, string> | null | undefined): Record<string, string> {
  return mergeMetadata({}, update);
}
