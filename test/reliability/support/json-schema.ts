import fc from 'fast-check';

/**
 * The part of OpenAPI 3.0's schema object that `/openapi.json` uses, checked and generated here
 * (the repository has no JSON-schema validator of its own; this is small on purpose). A keyword
 * outside this list throws, so a schema this code does not understand fails the test instead of
 * passing unchecked.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Only `date-time` (RFC 3339) is checked and generated; other formats are annotations. */
  format?: string;
  minimum?: number;
  maximum?: number;
  /** OpenAPI: "SHOULD NOT be sent as part of the request"; valid requests leave it out. */
  readOnly?: boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
}

const KNOWN = new Set([
  'type',
  'nullable',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  // annotations: no effect on validity
  'default',
  'description',
  'title',
  'example',
  'readOnly',
  'writeOnly',
]);

const regexCache = new Map<string, RegExp>();
const regex = (pattern: string): RegExp => {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
};

/** RFC 3339 `date-time`: JSON Schema's `format: date-time` (the day is checked apart). */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

/** Whether `s` is an RFC 3339 date-time naming a day that exists. */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * Valid date-times, all well after now and before 2100: nothing the fuzz makes starts in the past
 * or expires while it runs.
 */
const dateTimes = (): fc.Arbitrary<string> =>
  fc
    .date({
      min: new Date(Date.now() + 2 * 86_400_000),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString());

/** JSON-schema string length counts code points, not UTF-16 units. */
const length = (s: string) => [...s].length;

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

/** Every way `value` breaks `schema`, as `path: reason` lines (empty when valid). */
export function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`unsupported schema keyword '${key}' at ${path}`);
  }
  if (value === null) {
    if (schema.nullable === true) return [];
    if (
      schema.type === undefined &&
      schema.enum === undefined &&
      !schema.anyOf &&
      !schema.oneOf &&
      !schema.allOf
    )
      return schema.not && schemaErrors(schema.not, value).length === 0 ? [`${path}: matches 'not'`] : [];
  }
  const errors: string[] = [];
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const ok = schema.type === 'number' ? t === 'number' || t === 'integer' : t === schema.type;
    if (!ok) return [`${path}: expected ${schema.type}${schema.nullable ? ' or null' : ''}, got ${t}`];
  }
  if (schema.enum && !schema.enum.some((e) => e === value))
    errors.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && length(value) < schema.minLength)
      errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length(value) > schema.maxLength)
      errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value))
      errors.push(`${path}: does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !isDateTime(value)) errors.push(`${path}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      errors.push(`${path}: items are not unique`);
    if (schema.items)
      value.forEach((item, i) => errors.push(...schemaErrors(schema.items!, item, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in obj)) errors.push(`${path}: missing '${name}'`);
    }
    for (const [name, v] of Object.entries(obj)) {
      const prop = schema.properties?.[name];
      if (prop) errors.push(...schemaErrors(prop, v, `${path}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property '${name}'`);
      else if (typeof schema.additionalProperties === 'object')
        errors.push(...schemaErrors(schema.additionalProperties, v, `${path}.${name}`));
    }
  }
  if (schema.allOf) for (const s of schema.allOf) errors.push(...schemaErrors(s, value, path));
  if (schema.anyOf && !schema.anyOf.some((s) => schemaErrors(s, value, path).length === 0))
    errors.push(`${path}: matches none of anyOf`);
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => schemaErrors(s, value, path).length === 0).length;
    if (matching !== 1) errors.push(`${path}: matches ${matching} of oneOf, not exactly one`);
  }
  if (schema.not && schemaErrors(schema.not, value, path).length === 0) errors.push(`${path}: matches 'not'`);
  return errors;
}

export const isValid = (schema: Schema, value: unknown) => schemaErrors(schema, value).length === 0;

/** Rejections in a row after which a filter gives up: fast-check would otherwise retry forever. */
const MAX_REJECTIONS = 10_000;

/**
 * `arb.filter(keep)`, failing with the schema's text after {@link MAX_REJECTIONS} rejections in a
 * row instead of spinning: generation is synchronous, so a filter that almost never accepts would
 * hang the test past its timeout.
 */
export function filtered<T>(arb: fc.Arbitrary<T>, keep: (v: T) => boolean, schema: Schema): fc.Arbitrary<T> {
  let rejections = 0;
  return arb.filter((v) => {
    if (keep(v)) {
      rejections = 0;
      return true;
    }
    rejections += 1;
    if (rejections >= MAX_REJECTIONS)
      throw new Error(
        `no fitting value in ${MAX_REJECTIONS} tries for ${JSON.stringify(schema).slice(0, 500)}`,
      );
    return false;
  });
}

/** Marks a property left out of a generated object. */
const ABSENT = Symbol('absent');

/**
 * Optional properties that valid requests rarely send: `@odata.type` must name the resource's own
 * type when given, which the document does not say (a finding of its own when it happens).
 */
const RARELY_SENT = new Set(['@odata.type']);

/** Realistic values by property name, so that valid requests also get past the semantic checks. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** Strings of printable ASCII or any Unicode, within the bounds (kept short unless the bound is). */
function anyString(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  const options = [
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
  ];
  if (schema.maxLength !== undefined && schema.maxLength > 40)
    options.push(fc.constant('x'.repeat(schema.maxLength)));
  return fc.oneof(...options);
}

/**
 * Values valid by `schema`. A property named in `hints` takes the hint's values (when they fit its
 * schema) three times out of four.
 */
export function validArbitrary(schema: Schema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const base = validBase(schema, hints);
  const hint = name === undefined ? undefined : hints[name];
  const hinted = hint ? fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: base, weight: 1 }) : base;
  const value = filtered(hinted, (v) => isValid(schema, v), schema);
  return schema.nullable
    ? fc.oneof({ arbitrary: value, weight: 5 }, { arbitrary: fc.constant(null), weight: 1 })
    : value;
}

function validBase(schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.enum) {
    const values = schema.enum.filter((v) => v !== null);
    return values.length > 0 ? fc.constantFrom(...values) : fc.constant(null);
  }
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validArbitrary(s, hints)));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => validArbitrary(s, hints)));
  if (schema.allOf) return validArbitrary(Object.assign({}, ...schema.allOf) as Schema, hints);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return filtered(dateTimes(), (s) => isValid(schema, s), schema);
      return schema.pattern !== undefined
        ? filtered(
            fc.stringMatching(regex(schema.pattern)),
            (s) => isValid({ ...schema, pattern: undefined }, s),
            schema,
          )
        : anyString(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const item = schema.items ? validArbitrary(schema.items, hints) : fc.jsonValue();
      const bounds = {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      };
      return schema.uniqueItems === true
        ? fc.uniqueArray(item, { ...bounds, selector: (v) => JSON.stringify(v) })
        : fc.array(item, bounds);
    }
    case 'object': {
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (prop.readOnly === true && !required.has(key)) continue;
        const value = validArbitrary(prop, hints, key);
        // An optional property is sent half the time; a rare one (see RARELY_SENT) one time in eight.
        const absent = RARELY_SENT.has(key) ? 7 : 1;
        record[key] = required.has(key)
          ? value
          : fc.oneof({ arbitrary: fc.constant(ABSENT), weight: absent }, { arbitrary: value, weight: 1 });
      }
      return fc
        .record(record)
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
    }
    default:
      return fc.jsonValue();
  }
}

/** A value of another JSON type than `schema` allows. */
function wrongType(schema: Schema): fc.Arbitrary<unknown> {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.string({ maxLength: 8 })],
    ['integer', fc.integer()],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true })],
    ['boolean', fc.boolean()],
    ['array', fc.array(fc.integer(), { maxLength: 2 })],
    ['object', fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 })],
    ['null', fc.constant(null)],
  ];
  return fc.oneof(...all.filter(([t]) => t !== schema.type).map(([, a]) => a));
}

/** Whether some JSON value breaks the schema (`{}` accepts everything). */
export function canBreak(schema: Schema): boolean {
  if (schema.type !== undefined || schema.enum !== undefined || schema.not !== undefined) return true;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.every(canBreak);
  return schema.allOf?.some(canBreak) ?? false;
}

/**
 * Values that break `schema` in one deliberate way: a wrong type, a missing required property, an
 * unknown property, a string too long or too short or off its pattern, a value outside its enum or
 * range, too many items — at the top or somewhere inside. Every value is checked to be invalid.
 */
export function invalidArbitrary(schema: Schema, hints: Hints = {}): fc.Arbitrary<unknown> {
  return filtered(invalidBase(schema, hints), (v) => !isValid(schema, v), schema);
}

function invalidBase(schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [wrongType(schema)];
  if (schema.enum) options.push(fc.string({ maxLength: 12 }));
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined)
      options.push(fc.integer({ min: 1, max: 50 }).map((extra) => 'y'.repeat(schema.maxLength! + extra)));
    if (schema.minLength !== undefined && schema.minLength > 0) options.push(fc.constant(''));
    if (schema.pattern !== undefined || schema.format === 'date-time')
      options.push(fc.string({ maxLength: 20 }));
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
    if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
    if (schema.type === 'integer') options.push(fc.constant(0.5));
  }
  if (schema.type === 'array' && schema.items) {
    const item = validArbitrary(schema.items, hints);
    if (schema.maxItems !== undefined)
      options.push(fc.array(item, { minLength: schema.maxItems + 1, maxLength: schema.maxItems + 2 }));
    // Items of `{}` accept anything: no invalid item exists, and looking for one never ends.
    if (canBreak(schema.items))
      options.push(fc.tuple(invalidArbitrary(schema.items, hints)).map(([bad]) => [bad]));
  }
  if (schema.type === 'object') {
    const valid = validArbitrary(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
    const props = Object.entries(schema.properties ?? {}).filter(([, prop]) => canBreak(prop));
    const required = schema.required ?? [];
    if (required.length > 0)
      options.push(
        fc.tuple(valid, fc.constantFrom(...required)).map(([v, name]) => {
          const copy = { ...v };
          delete copy[name];
          return copy;
        }),
      );
    if (schema.additionalProperties === false)
      options.push(valid.map((v) => ({ ...v, unknownProperty: 'surplus' })));
    if (props.length > 0)
      options.push(
        fc
          .constantFrom(...props)
          .chain(([name, prop]) =>
            fc.tuple(valid, invalidArbitrary(prop, hints)).map(([v, bad]) => ({ ...v, [name]: bad })),
          ),
      );
  }
  return fc.oneof(...options);
}
