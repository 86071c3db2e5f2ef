/**
 * One audit entry in Graph's `directoryAudit` vocabulary, plus what Elevate adds (a stable machine
 * `code`, the token's `amr`, the user agent, justification and ticket) and the hash-chain fields.
 * Times are epoch ms. Everything here is hashed, so it must never carry a secret: builders list the
 * properties they record instead of copying objects.
 */
export type AuditResult = 'success' | 'failure';

export type OperationType = 'Add' | 'Assign' | 'Update' | 'Unassign' | 'Delete' | 'Other';

/** `Core Directory` for directory changes, `Privileged Identity Management` for PIM, as in Entra. */
export type LoggedByService =
  'Core Directory' | 'Privileged Identity Management' | 'Conditional Access' | 'Access Reviews';

/** Graph's `userIdentity`. */
export interface UserInitiator {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  ipAddress: string | null;
}

/** Graph's `appIdentity`, plus the caller's IP address, which Graph has no field for on apps. */
export interface AppInitiator {
  appId: string | null;
  displayName: string | null;
  servicePrincipalId: string | null;
  servicePrincipalName: string | null;
  ipAddress: string | null;
}

/** Graph's `auditActivityInitiator`: exactly one of the two is set. */
export interface Initiator {
  user: UserInitiator | null;
  app: AppInitiator | null;
}

/** Graph's `modifiedProperty`; values are JSON text, as Entra writes them (`["Ada"]`). */
export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export type TargetType = 'User' | 'Group' | 'ServicePrincipal' | 'Role' | 'Directory' | 'Policy' | 'Other';

/** Graph's `targetResource`. `id` is null when the object does not exist (a denied create). */
export interface TargetResource {
  id: string | null;
  displayName: string | null;
  type: TargetType;
  userPrincipalName: string | null;
  modifiedProperties: ModifiedProperty[];
}

export interface KeyValue {
  key: string;
  value: string;
}

/** What a use case appends: the entry without its place in the chain. */
export interface AuditDraft {
  id: string;
  tenantId: string;
  activityDateTime: number;
  /** Stable machine code, e.g. `user.create`; see `AUDIT_ACTIVITIES`. */
  code: string;
  activityDisplayName: string;
  category: string;
  operationType: OperationType;
  loggedByService: LoggedByService;
  result: AuditResult;
  /** Empty on success; why it failed otherwise. */
  resultReason: string;
  initiatedBy: Initiator;
  userAgent: string | null;
  /** Authentication methods of the caller's token (`pwd`, `mfa`, …); empty for apps. */
  amr: string[];
  targetResources: TargetResource[];
  correlationId: string | null;
  justification: string | null;
  ticket: string | null;
  additionalDetails: KeyValue[];
}

/**
 * An entry in the chain. `hash = SHA-256(prevHash ‖ payload ‖ LF ‖ query columns)` as lower-case
 * hex, where the payload is the canonical JSON of the entry without prevHash and hash (see
 * `hash.ts`); `seq` counts from 1 within a tenant's chain and is part of the hashed text.
 */
export interface AuditEntry extends AuditDraft {
  seq: number;
  /**
   * How the hash covers the entry (`hash.ts`): 2 for entries whose query columns are hashed too;
   * absent on entries written before that (format 1).
   */
  chainFormat?: 2;
  prevHash: string;
  hash: string;
}
