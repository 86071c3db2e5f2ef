// Property-based: whatever a client sends, the query module either accepts it or throws ODataError
// (a 400), never another exception (a 500), and always quickly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldMap } from './field-map.js';
import { parseFilter } from './filter-parser.js';
import { ODataError } from './odata-error.js';
import { parseQueryOptions, type QuerySpec } from './query-options.js';

const fields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  status: { column: 'status', type: 'enum', values: ['Granted', 'Revoked'] },
  isEnabled: { column: 'is_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime', nullable: true },
  priority: { column: 'priority', type: 'int' },
  'initiatedBy/user/id': { column: 'initiated_by', type: 'guid' },
  tags: {
    column: 'id',
    type: 'string',
    any: (_eb, l) => l.compileBody({ $this: { column: 'tag', type: 'string' } }),
  },
};
const spec: QuerySpec = { fields, expandable: ['principal', 'policy', 'policy/rules'] };

/** Runs `action`; passes if it returns or throws ODataError within the time limit. */
function acceptsOrRejects(action: () => unknown): void {
  const started = performance.now();
  try {
    action();
  } catch (error) {
    if (!(error instanceof ODataError)) throw error;
  }
  expect(performance.now() - started).toBeLessThan(1000);
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary-ascii', maxLength: 300 }),
);

/** Up to ~1 MB: a short random piece repeated, cheap to generate even at that size. */
const hugeText = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 1 << 20 }))
  .map(([piece, times]) => piece.repeat(Math.ceil(times / piece.length)).slice(0, 1 << 20));

const VOCABULARY = [
  '(',
  ')',
  ',',
  '/',
  ':',
  ' ',
  "'",
  "''",
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'and',
  'or',
  'not',
  'in',
  'null',
  'true',
  'false',
  'any',
  'all',
  'startswith',
  'isof',
  'contains',
  'id',
  'displayName',
  'status',
  'isEnabled',
  'createdDateTime',
  'priority',
  'initiatedBy',
  'user',
  'tags',
  't',
  "'Granted'",
  "'x'",
  '0',
  '-5',
  '99999999999999999999',
  '1.5',
  '62e90394-69f5-4237-9190-012177145e10',
  '2022-04-10T00:00:00Z',
  '2025-13-40T00:00:00Z',
  "'microsoft.graph.user'",
  'é',
  '😀',
  '\u0000',
];
/** Token soup close enough to OData to reach deep into the parser and compiler. */
const filterLike = fc
  .array(fc.constantFrom(...VOCABULARY), { maxLength: 60 })
  .map((tokens) => tokens.join(' '));

const LITERALS = [
  "'Granted'",
  "'revoked'",
  "'x'''",
  'null',
  'true',
  '7',
  '-1',
  '62e90394-69f5-4237-9190-012177145e10',
  "'62E90394-69F5-4237-9190-012177145E10'",
  '2022-04-10T00:00:00.5+01:00',
];

/** Filters built from the grammar, mostly valid, so that the compiler is reached too. */
const { filter: grammarFilter } = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small' },
    fc
      .tuple(
        fc.constantFrom(
          'id',
          'DisplayName',
          'status',
          'isEnabled',
          'createdDateTime',
          'priority',
          'initiatedBy/user/id',
          'nope',
        ),
        fc.constantFrom('eq', 'ne', 'gt', 'le'),
        fc.constantFrom(...LITERALS),
      )
      .map(([property, op, literal]) => `${property} ${op} ${literal}`),
    fc
      .tuple(
        fc.constantFrom('status', 'id', 'priority'),
        fc.array(fc.constantFrom(...LITERALS), { minLength: 1, maxLength: 4 }),
      )
      .map(([property, values]) => `${property} in (${values.join(', ')})`),
    fc.constantFrom(...LITERALS).map((literal) => `startswith(displayName, ${literal})`),
    fc.constantFrom(...LITERALS).map((literal) => `tags/any(t: t eq ${literal})`),
    fc.constantFrom('tags/any()', "tags/all(t: startswith(t, 'a'))", "isof('microsoft.graph.user')"),
    fc
      .tuple(tie('filter'), fc.constantFrom('and', 'or'), tie('filter'))
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('filter').map((inner) => `not (${inner})`),
    tie('filter').map((inner) => `(${inner})`),
  ),
}));

/** A grammar filter with one token inserted at a random spot: near misses. */
const nearMiss = fc
  .tuple(grammarFilter, fc.nat(), fc.constantFrom(...VOCABULARY))
  .map(
    ([text, at, token]) =>
      `${text.slice(0, at % (text.length + 1))}${token}${text.slice(at % (text.length + 1))}`,
  );

/** Long but within limits: nesting and repetition patterns that stress depth and backtracking. */
const repeated = fc
  .tuple(
    fc.constantFrom(
      '(',
      'not ',
      'not (',
      "a eq 'x' and ",
      'tags/any(t:',
      'a/',
      "'",
      "''",
      '9',
      'a in (1,',
      '( (',
    ),
    fc.integer({ min: 1, max: 4000 }),
  )
  .map(([piece, times]) => piece.repeat(times).slice(0, 4096));

describe('parseFilter on arbitrary input', () => {
  it.each([
    ['arbitrary strings', anyText, 500],
    ['token soup', filterLike, 2000],
    ['grammar', grammarFilter, 1000],
    ['near misses', nearMiss, 2000],
    ['repetition', repeated, 300],
    ['1 MB strings', hugeText, 30],
  ] as const)('%s', (_name, arbitrary, numRuns) => {
    fc.assert(
      fc.property(arbitrary, (text) => acceptsOrRejects(() => parseFilter(text))),
      { numRuns },
    );
  });

  it('1 MB of one character', () => {
    for (const char of ['(', "'", 'a', ' ', '😀', '\u0000'])
      acceptsOrRejects(() => parseFilter(char.repeat(1 << 20)));
  });
});

describe('parseQueryOptions on arbitrary input', () => {
  const optionName = fc.oneof(
    fc.constantFrom(
      '$filter',
      '$select',
      '$expand',
      '$orderby',
      '$top',
      '$skip',
      '$count',
      '$skiptoken',
      '$search',
    ),
    fc.string({ maxLength: 10 }),
  );
  const optionValue = fc.oneof(
    anyText,
    filterLike,
    nearMiss,
    repeated,
    fc.constantFrom(
      'principal($expand=policy($expand=rules))',
      'policy($expand=rules($select=id))',
      'id desc,status',
    ),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.integer(),
    fc.constant(undefined),
  );

  it('accepts or rejects with ODataError', () => {
    fc.assert(
      fc.property(fc.dictionary(optionName, optionValue, { maxKeys: 5 }), (query) =>
        acceptsOrRejects(() => parseQueryOptions(query, spec)),
      ),
      { numRuns: 2000 },
    );
  });

  it('compiles every filter that parses', () => {
    fc.assert(
      fc.property(fc.oneof(filterLike, grammarFilter, nearMiss), (filter) =>
        acceptsOrRejects(() => parseQueryOptions({ $filter: filter }, spec)),
      ),
      { numRuns: 2000 },
    );
  });

  it('bounds 1 MB option values', () => {
    fc.assert(
      fc.property(optionName, hugeText, (name, value) =>
        acceptsOrRejects(() => parseQueryOptions({ [name]: value }, spec)),
      ),
      { numRuns: 30 },
    );
  });
});
