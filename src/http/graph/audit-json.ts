import { z } from 'zod';
import type { AuditEntry, KeyValue } from '../../domain/audit/entry.js';
import type { PublicationStatus } from '../../app/audit/ports.js';
import { publicationReport } from '../../app/audit/publication-report.js';
import type { VerifyResult } from '../../domain/audit/verify.js';
import { dt } from './json.js';

const keyValue = z.object({ key: z.string(), value: z.string() });

/** Graph's `directoryAudit`, complete; `selectable(directoryAuditJson)` for `$select`ed lists. */
export const directoryAuditJson = z.object({
  id: z.string(),
  category: z.string(),
  correlationId: z.string().nullable(),
  result: z.string(),
  resultReason: z.string(),
  activityDisplayName: z.string(),
  activityDateTime: z.string(),
  loggedByService: z.string(),
  operationType: z.string(),
  initiatedBy: z.object({
    user: z
      .object({
        id: z.string(),
        displayName: z.string().nullable(),
        userPrincipalName: z.string().nullable(),
        ipAddress: z.string().nullable(),
      })
      .nullable(),
    app: z
      .object({
        appId: z.string().nullable(),
        displayName: z.string().nullable(),
        servicePrincipalId: z.string().nullable(),
        servicePrincipalName: z.string().nullable(),
      })
      .nullable(),
  }),
  targetResources: z.array(
    z.object({
      id: z.string().nullable(),
      displayName: z.string().nullable(),
      type: z.string(),
      userPrincipalName: z.string().nullable(),
      groupType: z.string().nullable(),
      modifiedProperties: z.array(
        z.object({
          displayName: z.string(),
          oldValue: z.string().nullable(),
          newValue: z.string().nullable(),
        }),
      ),
    }),
  ),
  additionalDetails: z.array(keyValue),
});

/**
 * What Graph has no field for goes into `additionalDetails`, as Entra does with `User-Agent`:
 * the token's `amr`, justification, ticket, an app caller's IP address, and Elevate's own code,
 * chain position and hash (so an entry read here can be matched against a verified chain).
 */
function details(e: AuditEntry): KeyValue[] {
  const extra: KeyValue[] = [];
  if (e.userAgent !== null) extra.push({ key: 'User-Agent', value: e.userAgent });
  if (e.amr.length > 0) extra.push({ key: 'amr', value: e.amr.join(',') });
  if (e.initiatedBy.app?.ipAddress) extra.push({ key: 'IpAddress', value: e.initiatedBy.app.ipAddress });
  if (e.justification !== null) extra.push({ key: 'Justification', value: e.justification });
  if (e.ticket !== null) extra.push({ key: 'Ticket', value: e.ticket });
  return [
    ...e.additionalDetails,
    ...extra,
    { key: 'elevate.code', value: e.code },
    { key: 'elevate.seq', value: String(e.seq) },
    { key: 'elevate.hash', value: e.hash },
  ];
}

/** An audit entry as Graph's `directoryAudit`, rendered from the hashed payload only. */
export const toDirectoryAuditJson = (e: AuditEntry): z.input<typeof directoryAuditJson> => ({
  id: e.id,
  category: e.category,
  correlationId: e.correlationId,
  result: e.result,
  resultReason: e.resultReason,
  activityDisplayName: e.activityDisplayName,
  activityDateTime: dt(e.activityDateTime),
  loggedByService: e.loggedByService,
  operationType: e.operationType,
  initiatedBy: {
    user: e.initiatedBy.user && {
      id: e.initiatedBy.user.id,
      displayName: e.initiatedBy.user.displayName,
      userPrincipalName: e.initiatedBy.user.userPrincipalName,
      ipAddress: e.initiatedBy.user.ipAddress,
    },
    app: e.initiatedBy.app && {
      appId: e.initiatedBy.app.appId,
      displayName: e.initiatedBy.app.displayName,
      servicePrincipalId: e.initiatedBy.app.servicePrincipalId,
      servicePrincipalName: e.initiatedBy.app.servicePrincipalName,
    },
  },
  targetResources: e.targetResources.map((t) => ({
    id: t.id,
    displayName: t.displayName,
    type: t.type,
    userPrincipalName: t.userPrincipalName,
    groupType: null,
    modifiedProperties: t.modifiedProperties.map((p) => ({
      displayName: p.displayName,
      oldValue: p.oldValue,
      newValue: p.newValue,
    })),
  })),
  additionalDetails: details(e),
});

/**
 * What the database records about publishing the tenant's checkpoints outside it (the newest
 * checkpoint, and per publisher the last one it accepted and when); not a check of the copy.
 */
export const auditPublicationJson = z
  .object({
    lastCheckpoint: z.object({ seq: z.number(), signedAt: z.string() }).nullable(),
    publishers: z.array(
      z.object({
        id: z.string(),
        lastPublishedSeq: z.number(),
        lastPublishedAt: z.string(),
        caughtUp: z.boolean(),
      }),
    ),
  })
  .describe(
    "The server's record of checkpoint publication: each publisher (SIEM destination id, witness-file:…, witness-url:…) that accepted a checkpoint of this tenant, the last one it accepted and when. `elevate audit verify --checkpoints` checks the published copy itself.",
  );

/** `GET /auditLogs/verify` (an Elevate extension). */
export const verifyJson = z.object({
  ok: z.boolean(),
  count: z.number(),
  headHash: z.string().nullable(),
  checkpoints: z.number().optional(),
  firstBadSeq: z.number().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  publication: auditPublicationJson.optional(),
});

export const toVerifyJson = (
  r: VerifyResult & { publication?: PublicationStatus },
): z.infer<typeof verifyJson> => ({
  ...(r.ok
    ? { ok: true, count: r.count, headHash: r.headHash, checkpoints: r.checkpoints }
    : {
        ok: false,
        count: r.count,
        headHash: null,
        firstBadSeq: r.firstBadSeq,
        reason: r.reason,
        message: r.message,
      }),
  ...(r.publication ? { publication: publicationReport(r.publication) } : {}),
});
