import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export const SPEC_PATH = '/work/shared/vendor-api/supabase-storage-openapi.json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** OpenAPI 3.0 `nullable: true` → an extra `{type: 'null'}` alternative (also without `type`). */
export function convertNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable') continue;
    out[k] = convertNullable(v);
  }
  if (node.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const pointerSegment = (s: string): string => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly doc: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(path = SPEC_PATH) {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Json;
    this.doc = convertNullable(raw) as unknown as SpecValidator['doc'];
    this.ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: depending on the loader the plugin is the module or its `default`
    type FormatsFn = (a: Ajv) => unknown;
    const mod = addFormatsModule as unknown as FormatsFn & { default?: FormatsFn };
    const addFormats: FormatsFn = mod.default ?? mod;
    addFormats(this.ajv);
    this.ajv.addFormat('unix-time', true);
    this.ajv.addFormat('decimal', true);
    this.ajv.addSchema(this.doc as object, 'storage-openapi');
  }

  /** Response key actually documented for a status: exact, then `4XX`/`5XX`, then `default`. */
  responseKey(method: string, template: string, status: number): string {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`operation ${method} ${template} not in spec`);
    const responses = op.responses ?? {};
    for (const k of [String(status), `${String(status)[0]}XX`, 'default']) {
      if (responses[k]) return k;
    }
    throw new Error(`no documented response for ${method} ${template} ${status}`);
  }

  hasJsonSchema(method: string, template: string, status: number): boolean {
    const key = this.responseKey(method, template, status);
    return Boolean(this.doc.paths[template]?.[method.toLowerCase()]?.responses?.[key]?.content?.['application/json']?.schema);
  }

  validator(method: string, template: string, status: number): ValidateFunction {
    const key = this.responseKey(method, template, status);
    const id = `${method} ${template} ${key}`;
    let fn = this.cache.get(id);
    if (!fn) {
      const ptr = ['paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema']
        .map(pointerSegment)
        .join('/');
      fn = this.ajv.compile({ $ref: `storage-openapi#/${ptr}` });
      this.cache.set(id, fn);
    }
    return fn;
  }

  /** Returns a list of error strings (empty when the body conforms). */
  validate(method: string, template: string, status: number, body: unknown): string[] {
    const fn = this.validator(method, template, status);
    if (fn(body)) return [];
    return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
