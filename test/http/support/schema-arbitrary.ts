import fc from 'fast-check';

/** The subset of OpenAPI 3.0 schema objects Elevate's documents use. */
export interface JsonSchema {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  default?: unknown;
  readOnly?: boolean;
}

/** Longest string generated where the schema allows longer (bodies stay small); the bound itself too. */
const SHORT = 24;

const dateTime = fc
  .date({ min: new Date('2031-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return dateTime;
  if (schema.pattern !== undefined) {
    const max = schema.maxLength;
    const matching = fc.stringMatching(new RegExp(schema.pattern));
    return matching.filter(
      (s) => s.length >= (schema.minLength ?? 0) && (max === undefined || s.length <= max),
    );
  }
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, SHORT);
  const short = Math.min(max, Math.max(min, SHORT));
  // Well-formed Unicode (lone surrogates are not strings a document can mean), short or at the bound.
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: short }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: max, maxLength: max }) },
  );
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lowExclusive = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const highExclusive = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  const min = schema.minimum ?? (lowExclusive !== undefined ? lowExclusive + 1 : -1_000_000);
  const max = schema.maximum ?? (highExclusive !== undefined ? highExclusive - 1 : 1_000_000);
  return integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function objectOf(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  // Read-only properties are not sent in requests (OpenAPI 3.0).
  for (const [name, property] of Object.entries(properties))
    if (!property.readOnly) record[name] = arbitraryOf(property);
  return fc.record(record, {
    requiredKeys: Object.keys(record).filter((name) => required.has(name)),
  });
}

/**
 * Values valid by `schema` as an OpenAPI document states it: what a client reading only the
 * document may send. Bounded (short strings, small arrays) so a sample stays a few KB.
 */
export function arbitraryOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const base = baseArbitrary(schema);
  return schema.nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function baseArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map(arbitraryOf));
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(arbitraryOf));
  if (schema.allOf?.length === 1) return arbitraryOf(schema.allOf[0]!);
  switch (schema.type) {
    case 'string':
      return stringOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'array': {
      const max = Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3));
      if (schema.items?.not !== undefined || max === 0) return fc.constant([]);
      const items = arbitraryOf(schema.items ?? {});
      const length = { minLength: schema.minItems ?? 0, maxLength: max };
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...length, selector: (item) => JSON.stringify(item) })
        : fc.array(items, length);
    }
    case 'object':
      return objectOf(schema);
    default:
      // No type: any JSON value; keep it a small object.
      return schema.properties ? objectOf(schema) : fc.constant({});
  }
}
