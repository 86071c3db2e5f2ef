import { makeRangeExport, type RangeExport } from '../app/audit-export/range-export.js';
import { auditExportRoutes } from '../http/routes/audit-export.js';
import { chainReader } from '../store/audit/audit-export-store.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** On-demand export of an audit time range (Elevate extension). */
    auditExport: Pick<RangeExport, 'forCaller'>;
  }
}

/** Export of an audit time range on demand (forwarding to a SIEM runs as a job). */
export const auditExportModule = {
  name: 'auditExport',
  services: (k) => ({
    auditExport: makeRangeExport({ uow: k.uow, clock: k.clock, chains: chainReader(k.db.kysely) }),
  }),
  routes: [{ plugin: auditExportRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
