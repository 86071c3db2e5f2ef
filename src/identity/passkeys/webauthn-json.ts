import { z } from 'zod';

/** base64url text of bounded length (WebAuthn's JSON encoding of binary fields). */
const b64u = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

const extensions = z.record(z.string().max(64), z.unknown()).default({});
const attachment = z.enum(['platform', 'cross-platform']).optional();

/** `PublicKeyCredential.toJSON()` after `navigator.credentials.create()`, bounded. */
export const registrationResponseJson = z.object({
  id: b64u(1024).min(1),
  rawId: b64u(1024).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64u(4096).min(1),
    attestationObject: b64u(16384).min(1),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: extensions,
  authenticatorAttachment: attachment,
});

/** `PublicKeyCredential.toJSON()` after `navigator.credentials.get()`, bounded. */
export const assertionResponseJson = z.object({
  id: b64u(1024).min(1),
  rawId: b64u(1024).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64u(4096).min(1),
    authenticatorData: b64u(4096).min(1),
    signature: b64u(1024).min(1),
    userHandle: b64u(256).optional(),
  }),
  clientExtensionResults: extensions,
  authenticatorAttachment: attachment,
});
