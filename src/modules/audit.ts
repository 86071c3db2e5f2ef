import type { AuditLog } from '../app/audit/audit-log.js';
import { auditRoutes } from '../http/routes/audit.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** The audit log: Graph's directoryAudits, and verification of the hash chain. */
    audit: Pick<AuditLog, 'list' | 'get' | 'verify'>;
  }
}

/** The audit log as Graph's `directoryAudits`, and its verification. */
export const auditModule = {
  name: 'audit',
  services: (k) => ({ audit: k.audit }),
  routes: [{ plugin: auditRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
