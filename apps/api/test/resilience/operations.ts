import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The slice of JSON Schema that the request schemas in openapi.yaml use. */
export interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As in the spec, with `{name}` placeholders. */
  path: string;
  /** `METHOD /path`, for test names and messages. */
  key: string;
  parameters: Parameter[];
  body: { contentType: string; schema: Schema } | null;
  /** False for public operations (an empty security requirement). */
  secured: boolean;
  /** The media types of the success answers. */
  successTypes: string[];
}

interface SpecOperation {
  parameters?: Parameter[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

/** Every operation of the committed openapi.yaml, the contract clients see. */
export function loadOperations(): Operation[] {
  const spec = parse(readFileSync(new URL('../../../../openapi.yaml', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, SpecOperation>>;
  };
  const operations: Operation[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        key: `${method.toUpperCase()} ${path}`,
        parameters: op.parameters ?? [],
        body: content ? { contentType: content[0], schema: content[1].schema } : null,
        secured: (op.security ?? []).length > 0,
        successTypes: Object.entries(op.responses)
          .filter(([status]) => /^2\d\d$/.test(status))
          .flatMap(([, r]) => Object.keys(r.content ?? {})),
      });
    }
  }
  return operations;
}
