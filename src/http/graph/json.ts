import { z } from 'zod';

/** Bounded string helpers: every string at the edge has a maximum length (STYLE.md). */
export const str = (max: number) => z.string().max(max);
export const nonEmpty = (max: number) => z.string().trim().min(1).max(max);
export const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID')
  .transform((s) => s.toLowerCase());
/** An id path segment: a GUID, or other bounded id forms some resources use. */
export const idParam = z.string().min(1).max(200);

/** Formats an epoch-ms time as Graph's DateTimeOffset (UTC, `Z`). */
export const dt = (ms: number): string => new Date(ms).toISOString();
export const dtOrNull = (ms: number | null): string | null => (ms === null ? null : dt(ms));

/** `@odata.context` for a path under the service root. */
export const context = (publicUrl: string, fragment: string) => `${publicUrl}/v1.0/$metadata#${fragment}`;

/** Graph collection envelope schema around an item schema (items may be projected by `$select`). */
export function collectionOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    '@odata.context': z.string(),
    '@odata.count': z.number().optional(),
    '@odata.nextLink': z.string().optional(),
    value: z.array(item),
  });
}

export const graphErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    target: z.string().optional(),
    innerError: z.object({
      date: z.string(),
      'request-id': z.string(),
      'client-request-id': z.string().nullable(),
    }),
  }),
});

/** Error responses every protected route may return. */
export const errorResponses = {
  400: graphErrorSchema,
  401: graphErrorSchema,
  403: graphErrorSchema,
  404: graphErrorSchema,
  409: graphErrorSchema,
} as const;
