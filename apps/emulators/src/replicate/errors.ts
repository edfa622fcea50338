import type { FastifyReply } from 'fastify';

export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

/** Replicate answers errors as RFC 7807 problem documents: `{title, detail, status}`. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly invalidFields: InvalidField[] | undefined;
  constructor(status: number, title: string, detail: string, invalidFields?: InvalidField[]) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.invalidFields = invalidFields;
  }
}

export function sendProblem(reply: FastifyReply, p: ApiProblem): FastifyReply {
  const body: Record<string, unknown> = { title: p.title, detail: p.detail, status: p.status };
  if (p.invalidFields) body['invalid_fields'] = p.invalidFields;
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(body));
}

export function notFound(detail = 'Not found.'): ApiProblem {
  return new ApiProblem(404, 'Not found', detail);
}

export function validationFailed(fields: InvalidField[]): ApiProblem {
  const detail = fields.map((f) => `- ${f.field}: ${f.description}`).join('\n') + '\n';
  return new ApiProblem(422, 'Input validation failed', detail, fields);
}
