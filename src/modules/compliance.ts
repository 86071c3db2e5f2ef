import { makeComplianceReport, type ComplianceReporter } from '../app/compliance/compliance-report.js';
import { complianceRoutes } from '../http/routes/compliance.js';
import type { AuditDestination } from '../config/audit-forward.js';
import type { FeatureModule } from './feature-module.js';

/** The SIEM destinations as the report names them (id and kind, never an address or a key). */
export const reportedDestinations = (destinations: readonly AuditDestination[]) =>
  destinations.map((d) => ({ id: d.id, type: d.type === 'file' ? 'file' : `syslog-${d.transport}` }));

declare module '../http/services.js' {
  interface Services {
    /** The compliance evidence report (Elevate extension). */
    compliance: ComplianceReporter;
  }
}

/** The compliance evidence report, mapped to SOC 2, ISO 27001 and NIST. */
export const complianceModule = {
  name: 'compliance',
  services: (k) => ({
    compliance: makeComplianceReport({
      uow: k.uow,
      clock: k.clock,
      audit: k.audit,
      cursors: k.cursors,
      destinations: reportedDestinations(k.options.auditForward ?? []),
      breakGlassGroupId: k.options.breakGlassGroupId ?? null,
    }),
  }),
  routes: [{ plugin: complianceRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
