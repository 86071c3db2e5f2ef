import fc from 'fast-check';
import {
  canBreak,
  filtered,
  invalidArbitrary,
  isValid,
  validArbitrary,
  type Hints,
  type Schema,
} from './json-schema.js';
import { fillPath, type Op, type Parameter } from './openapi.js';

/** One request of the fuzz, ready to send. */
export interface Case {
  op: Op;
  /** `valid`: valid by the document; `invalid`: broken on purpose (`mutation` says how). */
  kind: 'valid' | 'invalid';
  mutation: string;
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  auth: boolean;
}

/** Ids the fuzz aims at: per collection path (`/v1.0/users`), and all of them. */
export interface Pools {
  byCollection: Map<string, string[]>;
  all: string[];
}

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** The string branch of a query parameter's schema (`string | string[]`: repeated parameters are not sent). */
function stringSchema(schema: Schema | undefined): Schema {
  if (!schema) return { type: 'string' };
  return schema.anyOf?.find((s) => s.type === 'string') ?? schema;
}

/** Candidate values of a path parameter: ids of the collection it indexes, a fresh GUID, anything valid. */
function validPathValue(op: Op, p: Parameter, pools: Pools): fc.Arbitrary<string> {
  const schema = p.schema ?? { type: 'string' };
  const template = op.path.slice(0, op.path.indexOf(`{${p.name}}`) - 1);
  const fits = (ids: string[]) => ids.filter((v) => isValid(schema, v)).slice(0, 200);
  const own = fits(pools.byCollection.get(template) ?? []);
  const any = fits(pools.all);
  const options: fc.WeightedArbitrary<string>[] = [
    { arbitrary: validArbitrary({ ...schema, nullable: false }) as fc.Arbitrary<string>, weight: 1 },
  ];
  if (isValid(schema, '00000000-0000-4000-8000-000000000000'))
    options.push({ arbitrary: fc.uuid(), weight: 1 });
  if (own.length > 0) options.push({ arbitrary: fc.constantFrom(...own), weight: 8 });
  if (any.length > 0) options.push({ arbitrary: fc.constantFrom(...any), weight: 1 });
  // An empty segment never routes to the template (`//discovery/…`), so it is not a valid value;
  // nor is a dot segment (`.`, `..`), which URL resolution removes (RFC 3986 §5.2.4) before the
  // request is sent: `…/alertConfigurations/.` is `…/alertConfigurations/`, another route.
  return filtered(fc.oneof(...options), (v) => v !== '' && v !== '.' && v !== '..', schema);
}

/**
 * Query parameters: the required ones always, each optional one now and then (most requests of a
 * real client send none or one), hinted values mostly.
 */
function queryArbitrary(op: Op, hints: Hints): fc.Arbitrary<Record<string, string>> {
  const record: Record<string, fc.Arbitrary<string | undefined>> = {};
  for (const p of op.queryParams) {
    const schema = stringSchema(p.schema);
    const hint = hints[p.name];
    const value = filtered(
      hint ? fc.oneof({ arbitrary: hint, weight: 4 }, validArbitrary(schema)) : validArbitrary(schema),
      (v) => typeof v === 'string' && isValid(schema, v),
      schema,
    ) as fc.Arbitrary<string>;
    record[p.name] = p.required
      ? value
      : fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: value, weight: 1 });
  }
  return fc
    .record(record)
    .map((q) =>
      Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)),
    );
}

function url(op: Op, pathValues: Record<string, string>, query: Record<string, string>): string {
  const q = new URLSearchParams(query).toString();
  return fillPath(op.path, pathValues) + (q === '' ? '' : `?${q}`);
}

interface Parts {
  pathValues: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

function partsArbitrary(op: Op, pools: Pools, hints: Hints): fc.Arbitrary<Parts> {
  const pathValues: Record<string, fc.Arbitrary<string>> = {};
  for (const p of op.pathParams) pathValues[p.name] = validPathValue(op, p, pools);
  return fc.record({
    pathValues: fc.record(pathValues),
    query: queryArbitrary(op, hints),
    body: op.body ? validArbitrary(op.body, hints) : fc.constant(undefined),
  });
}

const withBody = (op: Op, parts: Parts): Pick<Case, 'body' | 'contentType'> =>
  parts.body === undefined ? {} : { body: JSON.stringify(parts.body), contentType: 'application/json' };

/** `n` requests valid by the document. */
export function validCases(op: Op, pools: Pools, hints: Hints, n: number, seed: number): Case[] {
  return fc.sample(partsArbitrary(op, pools, hints), { numRuns: n, seed }).map((parts) => ({
    op,
    kind: 'valid',
    mutation: 'none',
    method: op.method.toUpperCase(),
    url: url(op, parts.pathValues, parts.query),
    ...withBody(op, parts),
    auth: true,
  }));
}

const MALFORMED_JSON = ['{', '{"displayName":', '[1,2', 'nul', '{"a" 1}', "{'a':1}", '{"a":1}}'];

/** The ways this operation's requests can be broken on purpose. */
function mutations(op: Op, hints: Hints): Record<string, fc.Arbitrary<(parts: Parts) => Partial<Case>>> {
  const m: Record<string, fc.Arbitrary<(parts: Parts) => Partial<Case>>> = {};
  if (op.body) {
    const schema = op.body;
    if (canBreak(schema))
      m.body = invalidArbitrary(schema, hints).map((bad) => () => ({
        body: JSON.stringify(bad),
        contentType: 'application/json',
      }));
    m.malformedJson = fc
      .constantFrom(...MALFORMED_JSON)
      .map((text) => () => ({ body: text, contentType: 'application/json' }));
    m.contentType = fc
      .constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded')
      .map((contentType) => (parts: Parts) => ({ body: JSON.stringify(parts.body ?? {}), contentType }));
    if (op.bodyRequired) m.noBody = fc.constant(() => ({ body: undefined, contentType: undefined }));
  }
  for (const p of op.pathParams) {
    const schema = p.schema ?? {};
    if (schema.pattern === undefined && schema.maxLength === undefined) continue;
    const bad = filtered(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.constantFrom('not-a-guid', "x' or '1'='1", '00000000-0000-0000-0000-00000000000g', '..'),
        fc.constant('z'.repeat((schema.maxLength ?? 300) + 1)),
      ),
      (v) => !isValid(schema, v) && v.trim() === v && v !== '.' && v !== '..',
      schema,
    );
    m[`path:${p.name}`] = bad.map((v) => (parts: Parts) => ({
      url: url(op, { ...parts.pathValues, [p.name]: v }, parts.query),
    }));
  }
  for (const p of op.queryParams) {
    const schema = stringSchema(p.schema);
    if (schema.pattern === undefined && schema.enum === undefined && schema.maxLength === undefined) continue;
    const bad = filtered(
      fc.oneof(fc.string({ maxLength: 20 }), fc.constant('q'.repeat((schema.maxLength ?? 4096) + 1))),
      (v) => !isValid(schema, v),
      schema,
    );
    m[`query:${p.name}`] = bad.map((v) => (parts: Parts) => ({
      url: url(op, parts.pathValues, { ...parts.query, [p.name]: v }),
    }));
  }
  return m;
}

/** `n` requests each broken in one way the document forbids. */
export function invalidCases(op: Op, pools: Pools, hints: Hints, n: number, seed: number): Case[] {
  const ways = mutations(op, hints);
  const names = Object.keys(ways);
  if (names.length === 0) return [];
  const arb = fc
    .constantFrom(...names)
    .chain((name) => fc.tuple(fc.constant(name), ways[name]!, partsArbitrary(op, pools, hints)));
  return fc.sample(arb, { numRuns: n, seed }).map(([mutation, change, parts]) => ({
    op,
    kind: 'invalid',
    mutation,
    method: op.method.toUpperCase(),
    url: url(op, parts.pathValues, parts.query),
    ...withBody(op, parts),
    auth: true,
    ...change(parts),
  }));
}

export { GUID };
