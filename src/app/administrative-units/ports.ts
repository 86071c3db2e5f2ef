import type {
  AdministrativeUnit,
  AdministrativeUnitMember,
} from '../../domain/directory/administrative-unit.js';
import type { FieldMap, QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** `GET /v1.0/directory/administrativeUnits`: what `$filter`, `$orderby` and `$select` accept. */
export const administrativeUnitFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  description: { column: 'description', type: 'string', caseInsensitive: true },
  visibility: { column: 'visibility', type: 'string' },
};

/** `GET …/administrativeUnits/{id}/members`. */
export const administrativeUnitMemberFields: FieldMap = {
  id: { column: 'member_id', type: 'guid' },
};

/** A directory role held now at an administrative unit (directly, by PIM, or through a group). */
export interface ScopedRole {
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** Administrative units and their members (migration 0031). */
export interface AdministrativeUnitStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<AdministrativeUnit>>;
  get(tenantId: string, id: string): Promise<AdministrativeUnit | undefined>;
  /** @throws ConflictError when the id is taken */
  insert(u: AdministrativeUnit): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(u: AdministrativeUnit, expectedVersion: number): Promise<void>;
  /** Deletes the unit and its memberships; compare-and-set on `version` (false when it changed or is gone). */
  delete(tenantId: string, id: string, expectedVersion: number): Promise<boolean>;
  members(tenantId: string, unitId: string, q: CollectionQuery): Promise<Page<AdministrativeUnitMember>>;
  countMembers(tenantId: string, unitId: string): Promise<number>;
  /** @throws ConflictError when already a member */
  addMember(tenantId: string, m: AdministrativeUnitMember, now: number): Promise<void>;
  removeMember(tenantId: string, unitId: string, memberId: string): Promise<boolean>;
  /** Ids of the units the object is a direct member of. */
  unitsOf(tenantId: string, memberId: string): Promise<string[]>;
  /**
   * The directory roles the principals hold at `now` at these unit scopes: direct role assignments
   * and PIM assignment schedules with `start <= now < end`.
   */
  rolesHeldAt(
    tenantId: string,
    principalIds: readonly string[],
    scopes: readonly string[],
    now: number,
  ): Promise<ScopedRole[]>;
  /** Whether any current or future eligibility or assignment, or a direct assignment, names the scope. */
  scopeInUse(tenantId: string, scope: string, now: number): Promise<boolean>;
}

declare module '../ports.js' {
  interface Stores {
    /** Administrative units (ADR 0042). */
    administrativeUnits: AdministrativeUnitStore;
  }
}
