/**
 * The portal's pages. The server answers `index.html` for exactly these paths
 * (`src/http/portal.ts` `PORTAL_PAGES`; `test/http/portal.test.ts` holds the two lists together).
 */
export const PAGES = {
  home: '/',
  roles: '/roles',
  requests: '/requests',
  approvals: '/approvals',
  adminRoles: '/admin/roles',
  adminRole: '/admin/roles/:roleId',
  directory: '/admin/directory',
  audit: '/audit',
  compliance: '/compliance',
  alerts: '/alerts',
  reviews: '/reviews',
  groups: '/groups',
  resources: '/resources',
  channels: '/channels',
  connectors: '/connectors',
  breakGlass: '/break-glass',
  callback: '/portal/callback',
} as const;
