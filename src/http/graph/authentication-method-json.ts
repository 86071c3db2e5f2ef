import { z } from 'zod';
import type { AuthenticationMethod } from '../../app/sign-in/authentication-methods.js';
import type { PasskeyCredential } from '../../app/sign-in/method-ports.js';
import { dt } from './json.js';

export const fido2MethodJson = z.object({
  '@odata.type': z.literal('#microsoft.graph.fido2AuthenticationMethod'),
  id: z.string(),
  displayName: z.string(),
  createdDateTime: z.string(),
  aaGuid: z.string(),
  model: z.string().nullable(),
  attestationCertificates: z.array(z.string()),
  attestationLevel: z.literal('notAttested'),
});

export const authenticationMethodJson = z.union([
  fido2MethodJson,
  z.object({
    '@odata.type': z.literal('#microsoft.graph.passwordAuthenticationMethod'),
    id: z.string(),
    password: z.null(),
    createdDateTime: z.string(),
  }),
  z.object({
    '@odata.type': z.literal('#microsoft.graph.softwareOathAuthenticationMethod'),
    id: z.string(),
    secretKey: z.null(),
  }),
  z.object({
    '@odata.type': z.literal('#elevate.recoveryCodesAuthenticationMethod'),
    id: z.string(),
    createdDateTime: z.string(),
    remainingCount: z.number(),
  }),
]);

/** Graph's `fido2AuthenticationMethod` (no attestation is requested, so `notAttested`). */
export const toFido2Json = (c: PasskeyCredential): z.infer<typeof fido2MethodJson> => ({
  '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
  id: c.id,
  displayName: c.displayName,
  createdDateTime: dt(c.createdAt),
  aaGuid: c.aaguid,
  model: null,
  attestationCertificates: [],
  attestationLevel: 'notAttested',
});

/** Graph's method types; recovery codes are Elevate's own type (Graph has none). */
export function toAuthenticationMethodJson(
  m: AuthenticationMethod,
): z.infer<typeof authenticationMethodJson> {
  switch (m.kind) {
    case 'password':
      return {
        '@odata.type': '#microsoft.graph.passwordAuthenticationMethod',
        id: m.id,
        password: null,
        createdDateTime: dt(m.createdAt),
      };
    case 'softwareOath':
      return {
        '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod',
        id: m.id,
        secretKey: null,
      };
    case 'fido2':
      return toFido2Json(m.credential);
    case 'recoveryCodes':
      return {
        '@odata.type': '#elevate.recoveryCodesAuthenticationMethod',
        id: m.id,
        createdDateTime: dt(m.createdAt),
        remainingCount: m.remaining,
      };
  }
}
