import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PERMISSION_TABLE, renderPermissionTable } from '../../src/domain/authorization/permission-table.js';
import { permissionTableOf } from '../../scripts/permissions-doc.js';

describe('docs/permissions.md', () => {
  it('shows exactly the permission table in code (run `npm run docs:permissions` after changing it)', () => {
    const doc = readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8');
    expect(permissionTableOf(doc)).toBe(renderPermissionTable());
  });

  it('names every role by its display name, never by a bare id', () => {
    expect(renderPermissionTable()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(PERMISSION_TABLE.length).toBeGreaterThan(20);
  });
});
