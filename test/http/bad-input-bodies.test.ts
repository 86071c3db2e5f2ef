import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, dbSnapshot, expectClientError, type DbSnapshot, type Headers } from './support/graph.js';
import { bodyTargets, type BodyTarget as Target, type FieldType } from './support/body-targets.js';

const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 60);
const MB = 1024 * 1024;

let s: TestServer;
let h: Headers;
let targets: Target[];
let before: DbSnapshot;

beforeAll(async () => {
  s = await testServer();
  h = await s.admin();
  targets = await bodyTargets(s, h);
  before = await dbSnapshot(s);
});
afterAll(() => s.close());

const json = fc.jsonValue({ maxDepth: 3 });
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const wrongFor: Record<FieldType, fc.Arbitrary<unknown>> = {
  bool: json.filter((v) => typeof v !== 'boolean'),
  str: json.filter((v) => typeof v !== 'string'),
  nstr: json.filter((v) => typeof v !== 'string' && v !== null),
  array: json.filter((v) => !Array.isArray(v)),
  object: json.filter((v) => !isPlainObject(v)),
};
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const target = () => fc.nat().map((i) => targets[i % targets.length]!);

/** Sends `body` (a JSON value, or raw text with `contentType`) and checks the answer is a 4xx envelope. */
async function send(t: Target, body: unknown, contentType?: string) {
  const headers = contentType
    ? { ...h, 'content-type': contentType }
    : { ...h, 'content-type': 'application/json' };
  const payload = typeof body === 'string' && contentType ? body : JSON.stringify(body);
  const res = await call(s, t.method, t.url, headers, payload);
  expectClientError(res);
  return res;
}

/** Runs the property a bounded number of times, then compares the whole database with `before`. */
async function check<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>) {
  await fc.assert(property, { numRuns: RUNS });
  expect(await dbSnapshot(s)).toStrictEqual(before);
}

describe('bad request bodies get a 4xx Graph envelope and change nothing', () => {
  it('the valid bodies really are valid (so the broken ones below break only what they say)', async () => {
    for (const t of targets.filter((x) => x.method === 'PATCH')) {
      const res = await call(s, t.method, t.url, h, t.valid);
      expect(res.statusCode, `${t.name}: ${res.body}`).toBe(204);
    }
    before = await dbSnapshot(s);
  });

  it('JSON values that are not objects', () =>
    check(
      fc.asyncProperty(
        target(),
        json.filter((v) => !isPlainObject(v)),
        async (t, body) => {
          await send(t, body);
        },
      ),
    ));

  it('an unknown field next to valid ones', () =>
    check(
      fc.asyncProperty(target(), fc.string({ minLength: 1, maxLength: 20 }), json, async (t, key, value) => {
        fc.pre(!(key in t.fields) && !(key in t.valid));
        await send(t, { ...t.valid, [key]: value });
      }),
    ));

  it('a known field with a value of the wrong type', () =>
    check(
      fc.asyncProperty(
        target().chain((t) =>
          fc.tuple(
            fc.constant(t),
            fc
              .constantFrom(...Object.keys(t.fields))
              .chain((f) => fc.tuple(fc.constant(f), wrongFor[t.fields[f]!])),
          ),
        ),
        async ([t, [field, value]]) => {
          await send(t, { ...t.valid, [field]: value });
        },
      ),
    ));

  it('a string field holding about 1 MB (over the body limit) or 200 KB (over every max length)', () =>
    check(
      fc.asyncProperty(target(), fc.constantFrom(MB, 200 * 1024), fc.nat(), async (t, size, i) => {
        const strings = Object.keys(t.fields).filter((f) => t.fields[f] === 'str' || t.fields[f] === 'nstr');
        fc.pre(strings.length > 0);
        const res = await send(t, { ...t.valid, [strings[i % strings.length]!]: 'é'.repeat(size / 2) });
        expect(res.statusCode).toBe(size === MB ? 413 : 400);
      }),
    ));

  it('a string field containing NUL, which PostgreSQL cannot store', () =>
    check(
      fc.asyncProperty(
        target(),
        fc.nat(),
        fc.string({ maxLength: 5 }),
        fc.string({ maxLength: 5 }),
        async (t, i, a, b) => {
          const strings = Object.keys(t.fields).filter(
            (f) => t.fields[f] === 'str' || t.fields[f] === 'nstr',
          );
          fc.pre(strings.length > 0);
          const res = await send(t, { ...t.valid, [strings[i % strings.length]!]: `${a}\u0000${b}` });
          expect(res.statusCode).toBe(400);
        },
      ),
    ));

  it('broken JSON', () =>
    check(
      fc.asyncProperty(target(), fc.nat(), fc.string({ maxLength: 3 }), async (t, cut, junk) => {
        const text = JSON.stringify(t.valid);
        const broken = `${text.slice(0, cut % text.length)}${junk}`;
        fc.pre(!parses(broken));
        await send(t, broken, 'application/json');
      }),
    ));

  it('a valid body under a content type other than JSON', () =>
    check(
      fc.asyncProperty(
        target(),
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          'text/html; charset=utf-8',
        ),
        async (t, contentType) => {
          await send(t, JSON.stringify(t.valid), contentType);
        },
      ),
    ));

  it('an empty body with a JSON content type', async () => {
    for (const t of targets) {
      const res = await call(s, t.method, t.url, { ...h, 'content-type': 'application/json' }, '');
      expectClientError(res);
    }
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });
});
