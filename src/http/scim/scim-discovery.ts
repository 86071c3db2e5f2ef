import { SCIM } from '../../domain/scim/scim-schema.js';
import { MAX_PATCH_OPERATIONS } from '../../domain/scim/scim-query.js';

/** Most resources one list answer carries (`count` above it is lowered to it, RFC 7644 §3.4.2.4). */
export const MAX_PAGE_SIZE = 1000;

type Attr = Record<string, unknown>;

const attr = (
  name: string,
  o: Partial<{
    type: string;
    multiValued: boolean;
    required: boolean;
    caseExact: boolean;
    mutability: string;
    uniqueness: string;
    description: string;
    subAttributes: Attr[];
  }> = {},
): Attr => ({
  name,
  type: o.type ?? 'string',
  multiValued: o.multiValued ?? false,
  description: o.description ?? '',
  required: o.required ?? false,
  caseExact: o.caseExact ?? false,
  mutability: o.mutability ?? 'readWrite',
  returned: 'default',
  uniqueness: o.uniqueness ?? 'none',
  ...(o.subAttributes ? { subAttributes: o.subAttributes } : {}),
});

const meta = (baseUrl: string, resourceType: string, id: string) => ({
  resourceType,
  location: `${baseUrl}/${resourceType === 'Schema' ? 'Schemas' : 'ResourceTypes'}/${id}`,
});

/** The attributes Elevate keeps (RFC 7643 §7): what an administrator maps in the identity provider. */
export function schemas(baseUrl: string): Attr[] {
  return [
    {
      schemas: [SCIM.schema],
      id: SCIM.user,
      name: 'User',
      description:
        'A user of Elevate’s directory. Other core and enterprise attributes are accepted and not kept.',
      attributes: [
        attr('userName', {
          required: true,
          uniqueness: 'server',
          description: 'The userPrincipalName (name@domain); unique without regard to case.',
        }),
        attr('name', {
          type: 'complex',
          subAttributes: [
            attr('givenName'),
            attr('familyName'),
            attr('formatted', { description: 'Used as displayName when none is sent.' }),
          ],
        }),
        attr('displayName'),
        attr('title', { description: 'The jobTitle.' }),
        attr('emails', {
          type: 'complex',
          multiValued: true,
          description: 'The primary (else work, else first) address is kept as mail.',
          subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
        }),
        attr('active', {
          type: 'boolean',
          description: 'false deprovisions: sign-in refused, PIM schedules ended at once.',
        }),
        attr('externalId', { caseExact: true }),
      ],
      meta: meta(baseUrl, 'Schema', SCIM.user),
    },
    {
      schemas: [SCIM.schema],
      id: SCIM.group,
      name: 'Group',
      description: 'A security group of Elevate’s directory (never role-assignable).',
      attributes: [
        attr('displayName', { required: true }),
        attr('members', {
          type: 'complex',
          multiValued: true,
          description: 'Users and groups provisioned by the same client.',
          subAttributes: [
            attr('value', { caseExact: true, mutability: 'immutable' }),
            attr('$ref', { type: 'reference', mutability: 'immutable' }),
            attr('type', { mutability: 'immutable' }),
          ],
        }),
        attr('externalId', { caseExact: true }),
      ],
      meta: meta(baseUrl, 'Schema', SCIM.group),
    },
  ];
}

export function resourceTypes(baseUrl: string): Attr[] {
  return [
    {
      schemas: [SCIM.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCIM.user,
      schemaExtensions: [],
      meta: meta(baseUrl, 'ResourceType', 'User'),
    },
    {
      schemas: [SCIM.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCIM.group,
      schemaExtensions: [],
      meta: meta(baseUrl, 'ResourceType', 'Group'),
    },
  ];
}

export function serviceProviderConfig(baseUrl: string, docsUrl: string): Attr {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: docsUrl,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Provisioning client token',
        description: `The bearer token of a provisioning client created at /v1.0/elevate/scimClients (at most ${MAX_PATCH_OPERATIONS} PATCH operations per request).`,
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
