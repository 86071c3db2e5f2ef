// Rewrites the table in docs/permissions.md from the table in code (src/domain/authorization/permission-table.ts).
//   npm run docs:permissions
import { readFileSync, writeFileSync } from 'node:fs';
import { renderPermissionTable } from '../src/domain/authorization/permission-table.js';
import { replacePermissionTable } from './permissions-doc.js';

const path = new URL('../docs/permissions.md', import.meta.url);
writeFileSync(path, replacePermissionTable(readFileSync(path, 'utf8'), renderPermissionTable()));
console.log('docs/permissions.md updated');
