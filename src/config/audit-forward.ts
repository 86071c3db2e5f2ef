import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (≤ 64)');
const host = z.string().min(1).max(255);
const port = z.number().int().min(1).max(65535);
const path = z.string().min(1).max(4096);
const format = z.enum(['json', 'cef']).default('json');

/**
 * One SIEM destination. TLS material is named by file (`caFile`, `certFile`, `keyFile`), so the
 * private key never sits in the configuration itself; the whole list may also come from a file
 * (`ELEVATE_AUDIT_FORWARD_FILE`).
 */
export const auditDestination = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('file'), path, format }).strict(),
  z
    .object({
      id,
      type: z.literal('syslog'),
      transport: z.enum(['tcp', 'udp', 'tls']),
      host,
      port,
      format,
      /** HOSTNAME in the syslog header; defaults to this machine's name. */
      hostname: z.string().min(1).max(255).optional(),
      caFile: path.optional(),
      certFile: path.optional(),
      keyFile: path.optional(),
      servername: host.optional(),
    })
    .strict(),
]);

export type AuditDestination = z.infer<typeof auditDestination>;

/** `ELEVATE_AUDIT_FORWARD`: a JSON array of destinations with distinct ids. */
export const auditForwardSetting = z
  .string()
  .max(65_536)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of destinations' });
      return z.NEVER;
    }
  })
  .pipe(z.array(auditDestination).max(20))
  .refine((list) => new Set(list.map((d) => d.id)).size === list.length, {
    message: 'destination ids must be distinct',
  });
