import { ValidationError } from '../shared/errors.js';

/**
 * A resource registered in the hierarchy (`/v1.0/elevate/resourceScopes`): its path is its id and
 * names its parent (the path's prefix), so a cycle cannot be written — a parent's path is always
 * shorter than its child's (docs/resources.md).
 */
export interface ResourceScope {
  /** The scope path, e.g. `/subscriptions/s1/resourceGroups/rg1`. */
  id: string;
  tenantId: string;
  parentId: string;
  displayName: string;
  /** A free type label, e.g. `Microsoft.Resources/resourceGroups` or `database`. */
  type: string;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export const MAX_SCOPE_NAME_LENGTH = 256;
export const MAX_SCOPE_TYPE_LENGTH = 256;

/** @throws ValidationError */
export function checkScopeDisplayName(name: string): string {
  const trimmed = name.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || trimmed.length > MAX_SCOPE_NAME_LENGTH || /[\u0000-\u001f]/.test(trimmed))
    throw new ValidationError(
      `displayName must be 1 to ${MAX_SCOPE_NAME_LENGTH} printable characters.`,
      'displayName',
    );
  return trimmed;
}

/** @throws ValidationError */
export function checkScopeType(type: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.\-_/]{0,255}$/.test(type))
    throw new ValidationError(
      'type must be 1 to 256 letters, digits, dots, dashes, underscores or slashes (e.g. Microsoft.Compute/virtualMachines).',
      'type',
    );
  return type;
}
