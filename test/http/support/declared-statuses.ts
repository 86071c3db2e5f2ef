import { expect } from 'vitest';
import type { TestServer } from '../../helpers/server.js';
import { call } from './graph.js';

/** The responses each operation of the OpenAPI document declares, by `METHOD /path/{template}`. */
export type DeclaredStatuses = Map<string, string[]>;

export async function declaredStatuses(s: Pick<TestServer, 'app'>): Promise<DeclaredStatuses> {
  const doc = (await call(s, 'GET', '/openapi.json')).json<{
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  }>();
  const out: DeclaredStatuses = new Map();
  for (const [path, operations] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(operations))
      out.set(`${method.toUpperCase()} ${path}`, Object.keys(op.responses));
  return out;
}

/** `METHOD /path` matched against the document's templates (`{id}` also holds `filterByCurrentUser(…)`). */
function statusesOf(declared: DeclaredStatuses, operation: string): string[] | undefined {
  const exact = declared.get(operation);
  if (exact) return exact;
  for (const [template, statuses] of declared) {
    const pattern = template.replace(/[$.()]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    if (new RegExp(`^${pattern}$`).test(operation)) return statuses;
  }
  return undefined;
}

/** The OpenAPI document is honest: a status a route answered with is one it declares. */
export function expectDeclared(declared: DeclaredStatuses, operation: string, status: number): void {
  const statuses = statusesOf(declared, operation);
  expect(statuses, `${operation} is in the OpenAPI document`).toBeDefined();
  expect(statuses, `${operation} answered ${status}, which it does not declare`).toContain(String(status));
}
