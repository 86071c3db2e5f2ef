import { z } from 'zod';

/** Bounded string helpers: every string at the edge has a maximum length (STYLE.md). */
export const str = (max: number) => z.string().max(max);
/**
 * Text with something besides spaces, trimmed. The check is a visible `pattern` (not `trim().min(1)`,
 * which a document shows as `minLength: 1` although `"  "` is refused).
 */
export const nonEmpty = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/\S/, 'must not be empty or only spaces')
    .transform((text) => text.trim());

/**
 * An ISO 8601 day-time duration as the OpenAPI document states it (`P30D`, `PT8H`, `PT1H30M`,
 * `P2W`): a subset of what `parseDuration` accepts (any case, fractions of seconds), each part
 * bounded so that the whole stays under its 3,653-day maximum.
 */
export const DURATION_PATTERN =
  '^P(?:\\d{1,2}W|\\d{1,3}D|\\d{1,3}DT(?:\\d{1,4}H(?:\\d{1,5}M)?(?:\\d{1,6}S)?|\\d{1,5}M(?:\\d{1,6}S)?|\\d{1,6}S)|T(?:\\d{1,4}H(?:\\d{1,5}M)?(?:\\d{1,6}S)?|\\d{1,5}M(?:\\d{1,6}S)?|\\d{1,6}S))$';

/** Documents a case-insensitive enum by its canonical values (what the server answers with). */
export const documentedEnum = (values: readonly (string | null)[]) => ({ enum: [...values] });

/** Formats an epoch-ms time as Graph's DateTimeOffset (UTC, `Z`). */
/**
 * The `@odata.type` annotation typed SDK models send on create and update bodies
 * (`#microsoft.graph.user`): accepted when it names the entity (case-insensitively, as Graph
 * compares type names), refused with 400 when it names another type.
 */
export const odataType = (entity: string) =>
  z
    .string()
    .max(100)
    .refine((t) => t.toLowerCase() === `#microsoft.graph.${entity}`.toLowerCase(), {
      message: `must be #microsoft.graph.${entity} when given`,
    })
    .meta(documentedEnum([`#microsoft.graph.${entity}`]))
    .optional();

/** Drops the annotation after validation: use cases see only the entity's own properties. */
export const withoutAnnotation = <T extends { '@odata.type'?: string | undefined }>({
  '@odata.type': _type,
  ...rest
}: T): Omit<T, '@odata.type'> => rest;

export const dt = (ms: number): string => new Date(ms).toISOString();
export const dtOrNull = (ms: number | null): string | null => (ms === null ? null : dt(ms));

/**
 * `@odata.context` for a path under a service root (`{publicUrl}/v1.0` or `{publicUrl}/beta`: the
 * `serviceRoot` of the route's mount), e.g. `https://pim.example/beta/$metadata#users/$entity`.
 */
export const context = (serviceRoot: string, fragment: string) => `${serviceRoot}/$metadata#${fragment}`;

/** Graph collection envelope schema around an item schema (items may be projected by `$select`). */
export function collectionOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    '@odata.context': z.string(),
    '@odata.count': z.number().optional(),
    '@odata.nextLink': z.string().optional(),
    value: z.array(item),
  });
}

/** A single-entity response: `@odata.context` first (response schemas fix the key order), then the entity. */
export function withContext<S extends z.ZodRawShape>(entity: z.ZodObject<S>) {
  return z.object({ '@odata.context': z.string(), ...entity.shape });
}

/** The keys `$select` may leave out: all but `id` and annotations (`project` always keeps those). */
type Selectable<S extends z.ZodRawShape> = {
  [K in keyof S]: K extends 'id' | `@${string}` ? S[K] : z.ZodOptional<S[K]>;
};

/**
 * The `$select` variant of a complete entity schema. Entity schemas list every property as
 * required (navigations, present only with `$expand`, are optional), so a mapper that forgets one
 * fails every response that cannot be projected; the responses `$select` can project use this
 * variant, derived from the same schema, where only what `project` may drop is optional.
 */
export function selectable<S extends z.ZodRawShape>(entity: z.ZodObject<S>): z.ZodObject<Selectable<S>> {
  const shape = Object.fromEntries(
    Object.entries(entity.shape).map(([key, schema]) => [
      key,
      key === 'id' || key.startsWith('@') ? schema : (schema as z.ZodTypeAny).optional(),
    ]),
  );
  return z.object(shape) as unknown as z.ZodObject<Selectable<S>>;
}

export const graphErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    target: z.string().optional(),
    details: z
      .array(z.object({ code: z.string(), message: z.string(), target: z.string().optional() }))
      .optional(),
    innerError: z.object({
      date: z.string(),
      'request-id': z.string(),
      'client-request-id': z.string().nullable(),
    }),
  }),
});

/**
 * Error statuses a route can answer with. Every protected route can answer 400 (the edge refuses
 * malformed input, NUL characters in any query string included) and 401 (no or bad token); 403
 * where the use case authorizes, 404 where the route names an object, 409 where a write can lose
 * a compare-and-set or hit a unique key.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409;

/**
 * The Graph error responses of a route: exactly the statuses given (OpenAPI stays honest), plus
 * 429 on authenticated routes (those that answer 401): every caller's calls are rate limited
 * (`http/rate-limit.ts`).
 */
export function errors<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): Record<S[number] | 429, typeof graphErrorSchema> {
  const all: number[] = statuses.includes(401) ? [...statuses, 429] : [...statuses];
  return Object.fromEntries(all.map((status) => [status, graphErrorSchema])) as Record<
    S[number] | 429,
    typeof graphErrorSchema
  >;
}
