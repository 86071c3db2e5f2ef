import type { Schema } from './json-schema.js';

/** The parts of an OpenAPI 3.0 document the fuzz reads. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface MediaType {
  schema?: Schema;
}

export interface Response {
  description?: string;
  content?: Record<string, MediaType>;
}

export interface Operation {
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  security?: Record<string, string[]>[];
}

export const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;
export type Method = (typeof METHODS)[number];

/** One operation of the document, with what the fuzz needs to know about it at hand. */
export interface Op {
  method: Method;
  path: string;
  name: string;
  op: Operation;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body: Schema | undefined;
  bodyRequired: boolean;
  secured: boolean;
}

/**
 * The API's operations: Graph (`/v1.0`, `/beta`), AuthZEN (`/access`) and the discovery documents.
 * The authorization server's own endpoints (`/oauth2/…`, `/identity/…`) speak OAuth and HTML, not
 * the Graph contract, and have suites of their own.
 */
export function operationsOf(doc: OpenApiDocument): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!/^\/(v1\.0|beta|access)\//.test(path) && !/well-known|discovery/.test(path)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      const security = op.security ?? doc.security ?? [];
      ops.push({
        method,
        path,
        name: `${method.toUpperCase()} ${path}`,
        op,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body,
        bodyRequired: op.requestBody?.required === true,
        secured: security.length > 0 && security.every((s) => Object.keys(s).length > 0),
      });
    }
  }
  return ops;
}

/** The documented response for a status (exact, then `4XX`-style, then `default`). */
export function documentedResponse(op: Operation, status: number): Response | undefined {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
}

/** Fills a path template with already encoded values. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
