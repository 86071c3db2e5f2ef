/**
 * Entra's id for a tenant-wide (`/`) role assignment: base64url (no padding) of the role
 * definition id's bytes followed by the principal id's bytes, both in .NET `Guid.ToByteArray()`
 * (mixed-endian) order, then `-1`. Graph clients that build or parse these ids keep working.
 * Other scopes get a plain GUID.
 */
export function roleAssignmentId(
  roleDefinitionId: string,
  principalId: string,
  directoryScopeId: string,
  newId: () => string,
): string {
  if (directoryScopeId !== '/') return newId();
  return `${Buffer.concat([guidBytesLe(roleDefinitionId), guidBytesLe(principalId)]).toString('base64url')}-1`;
}

function guidBytesLe(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError('not a GUID');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}
